/** Something that went wrong in a run, kept in the results file (and the abuse section) rather than thrown. */
export interface RunError {
  /** Where: "server", "client-3", "proxy", "peer:socket.io", … */
  source: string;
  message: string;
  /** Last lines of output, when a process died. */
  output?: string;
}
