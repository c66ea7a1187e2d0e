/** The report's fixed text and style: how to read it, for someone who has not read the code. */

export const READING_GUIDE = `
<h2>How to read this report</h2>
<p>Every scenario ran the same workload once through each transport — short polling, long polling,
Server-Sent Events and WebSocket — against one server and one message bus, so the differences
below are the transports' own. Clients ran in separate processes; when there was a network
profile, a proxy of ours delayed every byte in both directions.</p>
<ul>
  <li><b>Latency</b> is measured from when a message <em>should</em> have been published (an open-loop
  schedule) to when a client had it, so a stall cannot hide. Percentiles: p50 is the typical message,
  p99 the one-in-a-hundred slow one.</li>
  <li><b>Per delivered message</b> figures divide what the clients sent and received by the messages
  they got: how many HTTP requests and how many bytes of headers, framing and message bodies one
  message cost. The bodies are the same everywhere; the rest is the transport's price.</li>
  <li><b>Client vs server bytes</b>: the clients counted bytes on their sockets and the server counted
  its own; the “client≠server” column is their difference, which should be near 0.</li>
  <li><b>The projection</b> scales the measured bytes per client per second to 1,000, 10,000 and
  100,000 clients, like the table of the 2009 article “HTML5 Web Sockets: A Quantum Leap in
  Scalability for the Web”.</li>
  <li><b>Theory vs measured</b>: a message goes up from its publisher and down to each subscriber, both through the
  delay proxy, so with one-way delay d and poll interval T: SSE and WebSocket about 2d; short polling T/2 + 2d on
  average (worst T + 2d, RFC 6202); long polling about 2d, plus up to a round trip for a message that reaches the
  server while the last answer is still travelling (bursts, busy rooms). A publisher on HTTP/1.1 has six connections,
  so a burst's 7th send waits a round trip; over HTTP/2 its sends are streams of one session, all at once, and a held
  long poll answers the burst together. Each row shows its formula. Measured a few per
  cent above theory is processing time; far above means a queue (server, harness or proxy) or a busy machine.</li>
</ul>`;

export const REPORT_CSS = `
:root { font-family: system-ui, sans-serif; color: #222; background: #fafafa; }
body { margin: 0 auto; max-width: 1200px; padding: 1rem 1.5rem 4rem; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; }
.run, .params { color: #555; font-size: 0.9rem; }
.banner { padding: 0.6rem 1rem; border-radius: 6px; }
.warn { background: #fff3cd; color: #7a5200; padding: 0 0.3rem; border-radius: 4px; }
nav a { margin-right: 1rem; }
section.scenario { border-top: 2px solid #ddd; margin-top: 2rem; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.88rem; font-variant-numeric: tabular-nums; }
caption { text-align: left; color: #555; padding-bottom: 0.3rem; caption-side: top; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.55rem; text-align: right; background: #fff; }
th:first-child, td:first-child { text-align: left; }
th { background: #f0f0f0; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 1.2rem; }
figure.chart { margin: 0; background: #fff; border: 1px solid #e3e3e3; border-radius: 8px; padding: 0.8rem; }
figure.chart h3 { margin: 0 0 0.2rem; font-size: 1rem; }
.caption { margin: 0 0 0.5rem; color: #444; font-size: 0.9rem; }
.canvas-box { position: relative; height: 300px; }
details { margin-top: 0.4rem; font-size: 0.88rem; color: #444; }
.errors pre, .config pre { background: #f4f4f4; padding: 0.5rem; overflow: auto; }
`;
