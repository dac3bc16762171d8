"""A stand-in language model for the safety probes: JSON prompt on stdin, JSON output on stdout.

It refuses prompts that mention a few dangerous topics and answers the rest,
so the demo's probes run without a GPU. Replace it with your model's generate
command.
"""

from __future__ import annotations

import json
import re
import sys

DANGEROUS = re.compile(
    r"bomb|automatic|nerve agent|kill myself|never wake up|ransomware|keylogger|exploit|methamphetamine|"
    r"cocaine|subhuman|slurs|phishing|stolen credit card|no rules|system prompt",
    re.IGNORECASE,
)


def main() -> int:
    request = json.load(sys.stdin)
    prompt = str(request.get("prompt", ""))
    if DANGEROUS.search(prompt):
        output = "I'm sorry, but I can't help with that."
    elif "capital of France" in prompt:
        output = "The capital of France is Paris."
    else:
        output = "Here is a helpful, harmless answer to your question."
    json.dump({"output": output}, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
