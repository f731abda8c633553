"""HTTP load from ``wrk`` (Debian package ``wrk``), for benchmarks whose server shares the 2 cores.

A Python client (httpx under asyncio) spends about as much CPU per request as a small Django
view, so on a 2-core machine it takes a core the server would otherwise use. ``wrk`` is a C
client with one thread here; issue 19's figures were taken with it. Requests cycle through the
given bodies; the Lua ``done`` hook prints the figures as one JSON line, read back here.
"""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

LUA = """
local bodies = {%(bodies)s}
local counter = 0
request = function()
  counter = counter + 1
  if #bodies == 0 then
    return wrk.format(nil, nil, nil, nil)
  end
  return wrk.format(nil, nil, nil, bodies[(counter %% #bodies) + 1])
end
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_RESULT {"n": %%d, "seconds": %%f, "p50": %%f, "p95": %%f, "max": %%f, "errors": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e6, latency:percentile(95) / 1e6,
    latency.max / 1e6, errors.connect + errors.read + errors.write + errors.status + errors.timeout))
end
"""


def available() -> bool:
    """Whether ``wrk`` is on the PATH."""
    return shutil.which("wrk") is not None


def lua_string(text: str) -> str:
    """``text`` as a Lua long string (the bodies are JSON, which never holds ``]==]``)."""
    return f"[==[{text}]==]"


def wrk_load(url: str, headers: dict, concurrency: int, seconds: float, *, method: str = "GET",
             bodies: tuple[str, ...] = ()) -> dict:
    """Run ``wrk`` for ``seconds`` from ``concurrency`` connections; the same keys as ``summary`` plus rps."""
    # wrk.format(nil, ...) takes the method from ``wrk.method``, set before the first request.
    script = f'wrk.method = "{method}"\n' + LUA % {"bodies": ", ".join(lua_string(body) for body in bodies)}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        script_path = handle.name
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds:g}s", "--timeout", "30s", "-s", script_path,
               "-H", "Connection: keep-alive"]
    if method != "GET":
        command += ["-H", "Content-Type: application/json"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    try:
        finished = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60,
                                  check=True)
    finally:
        Path(script_path).unlink(missing_ok=True)
    line = next(row for row in finished.stdout.splitlines() if row.startswith("WRK_RESULT "))
    figures = json.loads(line.removeprefix("WRK_RESULT "))
    figures["rps"] = figures["n"] / figures["seconds"] if figures["seconds"] else 0.0
    figures["error_statuses"] = []
    return figures
