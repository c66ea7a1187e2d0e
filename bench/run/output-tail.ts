/** The last lines a child process printed, for the report when it dies. */
import type { Readable } from 'node:stream';

export class OutputTail {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(private readonly keep = 30) {}

  follow(stream: Readable | null, onLine?: (line: string) => void): void {
    if (!stream) return;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop() ?? '';
      for (const line of parts) {
        this.lines.push(line);
        if (this.lines.length > this.keep) this.lines.shift();
        onLine?.(line);
      }
    });
  }

  text(): string {
    return [...this.lines, this.partial].filter((line) => line !== '').join('\n');
  }
}
