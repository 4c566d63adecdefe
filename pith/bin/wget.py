"""wget: fetch a URL over HTTP (the standard library's urllib.request) into a file.

Options: -O FILE (- for stdout), -q quiet, -T SECS timeout, -P DIR directory prefix.
Without -O the file is named after the URL's last part (index.html for none). The report
on stderr is GNU wget's shape, without the progress bar. Exit status as GNU's: 0, 1 a
generic error, 3 a file error, 4 a network failure, 8 an error answer from the server.
"""

import os
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import BinaryIO

from pith.lib.gnu import UsageError, options, strerror, usage_error

PROG = "wget"
HELP = """GNU Wget 1.21 (Pith), a non-interactive network retriever.
Usage: wget [OPTION]... [URL]...

  -O,  --output-document=FILE    write documents to FILE ('-': standard output)
  -P,  --directory-prefix=PREFIX save files to PREFIX/..
  -q,  --quiet                   quiet (no output)
  -T,  --timeout=SECONDS         set all timeout values to SECONDS
       --help                    print this help
"""


def stamp() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


def target(url: str, output: str | None, prefix: str) -> str:
    if output is not None:
        return output
    name = os.path.basename(urllib.parse.urlsplit(url).path) or "index.html"
    return os.path.join(prefix, name) if prefix else name


def fetch(url: str, output: str | None, prefix: str, quiet: bool, timeout: float) -> int:
    def log(text: str) -> None:
        if not quiet:
            sys.stderr.write(text + "\n")
    if "://" not in url:
        url = "http://" + url
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http":
        log(f"{url}: Unsupported scheme ‘{parts.scheme}’.")
        return 1
    host, port = parts.hostname or "", parts.port or 80
    log(f"--{stamp()}--  {url}")
    try:
        address = socket.gethostbyname(host)
    except OSError:
        log(f"Resolving {host} ({host})... failed: Name or service not known.")
        sys.stderr.write(f"wget: unable to resolve host address ‘{host}’\n")
        return 4
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except urllib.error.HTTPError as e:
        log(f"Connecting to {host}:{port}... connected.")
        log(f"HTTP request sent, awaiting response... {e.code} {e.reason}")
        log(f"{stamp()} ERROR {e.code}: {e.reason}.\n")
        return 8
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        text = strerror(reason) if isinstance(reason, OSError) else str(reason)
        log(f"Connecting to {address}:{port}... failed: {text}.")
        return 4
    log(f"Connecting to {host}:{port}... connected.")
    log(f"HTTP request sent, awaiting response... {response.status} {response.reason}")
    length = response.headers.get("Content-Length")
    kind = response.headers.get_content_type()
    log(f"Length: {length or 'unspecified'} [{kind}]")
    name = target(url, output, prefix)
    try:
        out: BinaryIO = sys.stdout.buffer if name == "-" else open(name, "wb")  # noqa: SIM115
    except OSError as e:
        sys.stderr.write(f"{name}: {strerror(e)}\n")
        return 3
    if name != "-":
        log(f"Saving to: ‘{name}’\n")
    total, began = 0, time.monotonic()
    with response:
        while chunk := response.read(65536):
            out.write(chunk)
            total += len(chunk)
    out.flush()
    if out is not sys.stdout.buffer:
        out.close()
    rate = total / max(time.monotonic() - began, 1e-6) / 1e6
    shown = "-" if name == "-" else name
    log(f"{stamp()} ({rate:.1f} MB/s) - ‘{shown}’ saved [{total}/{length or total}]\n")
    return 0


def main(argv: list[str]) -> int:
    try:
        opts, urls = options(argv, "O:P:qT:", ["output-document=", "directory-prefix=",
                                               "quiet", "timeout=", "help"])
    except UsageError as e:
        return usage_error(PROG, str(e), 2)
    output, prefix, quiet, timeout = None, "", False, 900.0
    for o, a in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o in ("-O", "--output-document"):
            output = a
        elif o in ("-P", "--directory-prefix"):
            prefix = a
        elif o in ("-q", "--quiet"):
            quiet = True
        elif o in ("-T", "--timeout"):
            try:
                timeout = float(a)
            except ValueError:
                return usage_error(PROG, f"--timeout: Invalid time period ‘{a}’", 2)
    if not urls:
        return usage_error(PROG, "missing URL", 1)
    status = 0
    for url in urls:
        status = fetch(url, output, prefix, quiet, timeout) or status
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
