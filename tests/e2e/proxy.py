"""A loopback HTTP/1.1 proxy that adds a bearer token, for clients that cannot send one (the MCP
conformance suite). Standard library only.

    python proxy.py --upstream http://127.0.0.1:PORT --token TOKEN [--listen-port 0] [--verbose]

Prints `LISTENING <port>` as its first line on stdout once it accepts connections, then runs
until killed. Every request is forwarded as it came (method, target, body, and header lines
byte for byte, so values with surrounding whitespace reach the server untouched), except that:
  - `Authorization` is replaced by `Authorization: Bearer TOKEN`;
  - a `Host` or `Origin` value that names this proxy's own address (127.0.0.1, localhost or
    [::1] with the proxy's port) is rewritten to the upstream's host:port, so the server sees
    its own address there, while any other value (a DNS-rebinding probe's foreign host) is
    passed through unchanged and still looks foreign to the server;
  - the upstream connection is one per request (`Connection: close`), and so is the client's.
The response (status line, headers, body) is streamed back as it arrives, so
`text/event-stream` responses flow event by event.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from urllib.parse import urlsplit

MAX_HEAD = 64 * 1024
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection"}


class BadRequest(Exception):
    pass


class Proxy:
    def __init__(self, upstream: str, token: str, verbose: bool) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise SystemExit(f"proxy.py: --upstream must be an http:// URL, got {upstream!r}")
        self.up_host = parts.hostname
        self.up_port = parts.port or 80
        self.up_authority = parts.netloc.rsplit("@", 1)[-1]
        self.up_prefix = parts.path.rstrip("/")
        self.token = token
        self.verbose = verbose
        self.own: set[str] = set()  # filled once the listening port is known

    def set_listen_port(self, port: int) -> None:
        self.own = {f"{name}:{port}" for name in LOOPBACK_NAMES}

    def log(self, message: str) -> None:
        if self.verbose:
            print(f"proxy: {message}", file=sys.stderr, flush=True)

    # --- request side ---------------------------------------------------------------------

    def rewrite_value(self, name: bytes, value: bytes) -> bytes:
        text = value.decode("latin-1")
        bare = text.strip()
        if name == b"host" and bare.lower() in self.own:
            return self.up_authority.encode("latin-1")
        if name == b"origin":
            for scheme in ("http://", "https://"):
                if bare.lower().startswith(scheme) and bare[len(scheme) :].lower() in self.own:
                    return f"{scheme}{self.up_authority}".encode("latin-1")
        return value

    def build_request_head(self, head: bytes) -> tuple[bytes, str, int | None, bool]:
        """The head to send upstream, plus method/target for the log and how the body is framed."""
        lines = head.split(b"\r\n")
        request_line = lines[0]
        try:
            method, target, version = request_line.split(b" ", 2)
        except ValueError as e:
            raise BadRequest(f"malformed request line {request_line[:200]!r}") from e
        if self.up_prefix and target.startswith(b"/"):
            target = self.up_prefix.encode("latin-1") + target
        out = [b" ".join((method, target, version))]
        length: int | None = None
        chunked = False
        for line in lines[1:]:
            if not line:
                continue
            name, sep, value = line.partition(b":")
            if not sep:
                raise BadRequest(f"malformed header line {line[:200]!r}")
            key = name.strip().lower()
            if key == b"authorization" or key in HOP_BY_HOP:
                continue
            if key == b"content-length":
                try:
                    length = int(value.strip())
                except ValueError as e:
                    raise BadRequest("bad Content-Length") from e
            if key == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            if key in (b"host", b"origin"):
                new = self.rewrite_value(key, value)
                if new is not value:
                    line = name + b": " + new
            out.append(line)
        out.append(b"Authorization: Bearer " + self.token.encode("latin-1"))
        out.append(b"Connection: close")
        return (
            b"\r\n".join(out) + b"\r\n\r\n",
            f"{method.decode('latin-1')} {target.decode('latin-1')}",
            length,
            chunked,
        )

    @staticmethod
    async def copy_exact(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        while n > 0:
            chunk = await reader.read(min(n, 65536))
            if not chunk:
                raise BadRequest("client closed before the whole body arrived")
            writer.write(chunk)
            await writer.drain()
            n -= len(chunk)

    async def copy_chunked(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Forwards a chunked body with its framing, through the last chunk and trailers."""
        while True:
            size_line = await reader.readuntil(b"\r\n")
            writer.write(size_line)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError as e:
                raise BadRequest("bad chunk size") from e
            if size == 0:
                while True:  # trailers, then the empty line
                    trailer = await reader.readuntil(b"\r\n")
                    writer.write(trailer)
                    if trailer == b"\r\n":
                        await writer.drain()
                        return
            await self.copy_exact(reader, writer, size + 2)

    # --- response side --------------------------------------------------------------------

    @staticmethod
    def rewrite_response_head(head: bytes) -> tuple[bytes, str]:
        lines = head.split(b"\r\n")
        out = [lines[0]]
        for line in lines[1:]:
            if not line:
                continue
            if line.partition(b":")[0].strip().lower() in HOP_BY_HOP:
                continue
            out.append(line)
        out.append(b"Connection: close")
        status = lines[0].split(b" ", 2)[1].decode("latin-1") if lines[0].count(b" ") >= 1 else "?"
        return b"\r\n".join(out) + b"\r\n\r\n", status

    # --- one connection -------------------------------------------------------------------

    async def handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        up_w: asyncio.StreamWriter | None = None
        try:
            try:
                head = await client_r.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            except asyncio.LimitOverrunError:
                client_w.write(
                    b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
                )
                return
            try:
                up_head, what, length, chunked = self.build_request_head(head[:-4])
            except BadRequest as e:
                body = str(e).encode()
                client_w.write(
                    b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\n"
                    + b"Content-Length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )
                return
            try:
                up_r, up_w = await asyncio.open_connection(self.up_host, self.up_port, limit=MAX_HEAD)
            except OSError as e:
                body = f"proxy: upstream {self.up_authority} unreachable: {e}".encode()
                client_w.write(
                    b"HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Type: text/plain\r\n"
                    + b"Content-Length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )
                return
            up_w.write(up_head)
            if chunked:
                await self.copy_chunked(client_r, up_w)
            elif length:
                await self.copy_exact(client_r, up_w, length)
            await up_w.drain()

            try:
                resp_head = await up_r.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as e:
                raise BadRequest(f"upstream closed without a response head ({len(e.partial)} bytes)") from e
            new_head, status = self.rewrite_response_head(resp_head[:-4])
            self.log(f"{what} -> {status}")
            client_w.write(new_head)
            await client_w.drain()
            await self.pump(up_r, client_r, client_w)
        except (ConnectionError, asyncio.IncompleteReadError, BadRequest) as e:
            self.log(f"connection dropped: {e}")
        finally:
            for w in (up_w, client_w):
                if w is not None:
                    with contextlib.suppress(Exception):
                        w.close()

    @staticmethod
    async def pump(up_r: asyncio.StreamReader, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        """Streams the upstream body to the client until either side goes away."""

        async def forward() -> None:
            while chunk := await up_r.read(65536):
                client_w.write(chunk)
                await client_w.drain()

        async def client_gone() -> None:
            # One request per connection: anything but EOF from the client now is ignored.
            while await client_r.read(65536):
                pass

        tasks = [asyncio.create_task(forward()), asyncio.create_task(client_gone())]
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for t in pending:
            t.cancel()
        for t in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        for t in done:
            t.result()


async def serve(args: argparse.Namespace) -> None:
    proxy = Proxy(args.upstream, args.token, args.verbose)
    server = await asyncio.start_server(proxy.handle, args.listen_host, args.listen_port, limit=MAX_HEAD)
    port = server.sockets[0].getsockname()[1]
    proxy.set_listen_port(port)
    print(f"LISTENING {port}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description="Loopback proxy that adds a bearer token.")
    parser.add_argument("--upstream", required=True, help="the server's origin, e.g. http://127.0.0.1:8080")
    parser.add_argument("--token", required=True, help="the bearer token to add to every request")
    parser.add_argument("--listen-port", type=int, default=0, help="0 picks a free port (printed)")
    parser.add_argument("--listen-host", default="127.0.0.1")
    parser.add_argument("--verbose", action="store_true", help="log each request on stderr")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
