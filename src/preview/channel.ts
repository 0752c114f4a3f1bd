import type {IncomingMessage, ServerResponse} from "node:http";

/** One open page: which notebook it shows and the state it has (so a reconnect can be resynced). */
export interface LiveClient {
  page: string;
  state: string;
  send(event: string, data: unknown, id?: string): void;
}

/**
 * The live channel: server-sent events over plain HTTP. EventSource reconnects by itself when the
 * server restarts, and says which state it last saw (Last-Event-ID), so the server can resync it.
 */
export class LiveChannel {
  private clients = new Set<LiveClient & {res: ServerResponse}>();
  private heartbeat = setInterval(() => {
    for (const c of this.clients) c.res.write(": keep-alive\n\n");
  }, 15_000);

  /** Opens the stream; `state` is what the page was rendered with, or the last update it received. */
  open(req: IncomingMessage, res: ServerResponse, page: string, state: string): LiveClient {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive"
    });
    // Reconnect quickly: a restarted preview is back within a second.
    res.write("retry: 300\n\n");
    const client = {
      page,
      state,
      res,
      send(event: string, data: unknown, id?: string) {
        if (id) client.state = id;
        res.write(`${id ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      }
    };
    this.clients.add(client);
    req.on("close", () => this.clients.delete(client));
    return client;
  }

  of(page: string): LiveClient[] {
    return [...this.clients].filter((c) => c.page === page);
  }

  pages(): Set<string> {
    return new Set([...this.clients].map((c) => c.page));
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }
}
