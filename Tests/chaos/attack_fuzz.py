"""Fuzzing the decoders: libFuzzer (swiftc -sanitize=fuzzer) over copies of the decoders' sources, seeded with every
recorded frame and /history body; the config parser (TOMLKit is C++, not in that build) through the binary."""
import base64
import glob
import hashlib
import json
import os
import random
import re
import shutil
import struct
import subprocess

from common import CHILD_ENV, COMFYTOP, QUICK, ROOT, HarnessError, children, run

# What the decoders need, compiled as one module (Paths: the theme lookup; Style: the theme's roles). When a decoder
# starts to need another file, the build fails with "cannot find X in scope": add that file here.
SOURCES = ["Sources/JSON/*.swift", "Sources/Client/Protocol/*.swift", "Sources/TUI/Theme/*.swift",
           "Sources/TUI/Canvas/Style.swift", "Sources/Client/Paths.swift"]
TARGETS = ["frame", "binary", "history", "theme"]
LABELS = {"frame": "text frame decoder", "binary": "binary frame decoder", "history": "lazy /history reader",
          "theme": "theme parser"}


def fixture_files():
    files = glob.glob("/work/shared/fixtures/comfyui-real/*.json")
    files += glob.glob(os.path.join(ROOT, "Tests/**/Fixtures/**/*.json"), recursive=True)
    return sorted(set(files))


def seed_corpus(work):
    """One folder per target, from every recorded frame, /history body and shipped theme."""
    dirs = {t: os.path.join(work, "corpus-" + t) for t in TARGETS}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)

    def put(target, data):
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
        with open(os.path.join(dirs[target], hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)

    for path in fixture_files():
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError):
            continue
        for frame in doc.get("frames", []) if isinstance(doc, dict) else []:
            if isinstance(frame, dict) and "base64" in frame:
                put("binary", base64.b64decode(frame["base64"]))
        events = doc.get("events", []) if isinstance(doc, dict) else []
        for e in events if isinstance(events, list) else []:
            if not isinstance(e, dict):
                continue
            if e.get("frame") == "text" and isinstance(e.get("text"), str):
                put("frame", e["text"])
            if e.get("kind") == "http" and str(e.get("path", "")).startswith("/history") and \
                    isinstance(e.get("response_json"), dict):
                put("history", json.dumps(e["response_json"]))
    # Binary frames of every kind ComfyUI sends (the recordings hold one of a few kinds only).
    meta = b'{"image_type": "image/png", "id": "p", "prompt_id": "p", "node_id": "3", "display_node_id": "3"}'
    for frame in [struct.pack(">II", 3, 1) + b"3step 2/8", struct.pack(">II", 4, len(meta)) + meta + b"\x89PNG",
                  struct.pack(">II", 1, 2) + b"\x89PNG\r\n", struct.pack(">I", 2) + b"\x00" * 16]:
        put("binary", frame)
    for path in glob.glob(os.path.join(ROOT, "themes/*.theme")):
        with open(path, "rb") as f:
            put("theme", f.read())
    return dirs


def build(work):
    """The fuzz target: FuzzMain.swift and copies of the sources (their `import Comfy…` removed: one module)."""
    src = os.path.join(work, "fuzz-src")
    os.makedirs(src, exist_ok=True)
    files = [os.path.join(ROOT, "Tests/chaos/fuzz/FuzzMain.swift")]
    for pattern in SOURCES:
        for path in sorted(glob.glob(os.path.join(ROOT, pattern))):
            with open(path) as f:
                code = re.sub(r"^import Comfy[A-Za-z]+\n", "", f.read(), flags=re.M)
            dest = os.path.join(src, path.replace(ROOT + "/", "").replace("/", "_"))
            with open(dest, "w") as f:
                f.write(code)
            files.append(dest)
    exe = os.path.join(work, "comfyfuzz")
    p = subprocess.run(["swiftc", "-sanitize=fuzzer", "-parse-as-library", "-O", "-module-name", "ComfyFuzz",
                        "-o", exe, *files], capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        errors = [line for line in p.stderr.splitlines() if "error:" in line][:5]
        raise HarnessError("the fuzz target did not compile: " + " | ".join(errors))
    return exe


def libfuzzer(exe, target, corpus, seconds, work):
    crashes = os.path.join(work, f"crashes-{target}") + "/"
    os.makedirs(crashes, exist_ok=True)
    env = dict(CHILD_ENV, COMFY_FUZZ=target)
    p = subprocess.Popen([exe, corpus, f"-max_total_time={seconds}", "-rss_limit_mb=2048", "-timeout=10",
                          "-max_len=65536", "-print_final_stats=1", f"-artifact_prefix={crashes}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    children.add(p.pid)
    try:
        _, stderr = p.communicate(timeout=seconds + 120)
    except subprocess.TimeoutExpired:
        p.kill()
        _, stderr = p.communicate()
    children.discard(p.pid)
    p.stderr = stderr
    m = re.search(r"stat::number_of_executed_units:\s*(\d+)", p.stderr)
    runs = int(m.group(1)) if m else 0
    found = sorted(os.listdir(crashes))
    first = ""
    if found:
        with open(os.path.join(crashes, found[0]), "rb") as f:
            first = f.read()[:120].decode("utf-8", "backslashreplace")
        deadly = [line for line in p.stderr.splitlines() if "ERROR: libFuzzer" in line or "Fatal error" in line]
        first = f"{found[0]} ({(deadly or [''])[0][:120]}): {first}"
    return runs, len(found), first


def config_loop(work, count):
    """The config parser through the binary: mutations of a valid config.toml, `status` against a closed port."""
    base = (b'default = "gpu"\n\n[servers.gpu]\nurl = "http://127.0.0.1:9"\ntoken = "t"\n'
            b'ca_file = "~/ca.pem"\n\n[servers.lab]\nurl = "http://10.0.0.7:8188"\nuser = "alice"\n'
            b'password_env = "LAB_PASSWORD"\nheaders = { "X-API-Key" = "k" }\n')
    rng = random.Random(14)
    path = os.path.join(work, "fuzz-config.toml")
    crashes, first = 0, ""
    for i in range(count):
        b = bytearray(base)
        for _ in range(rng.randrange(1, 8)):
            at = rng.randrange(len(b))
            op = rng.randrange(4)
            if op == 0:
                b[at] = rng.randrange(256)
            elif op == 1:
                b[at:at] = rng.choice([b"[", b"]", b'"', b"=", b"\n", b"{", b"}", b"nan", b"inf", b"1e999",
                                       b"9" * 40, b"\\u0000", b"[[servers]]", b"\xff", b"'''", b'"""'])
            elif op == 2:
                del b[at:at + rng.randrange(1, 12)]
            else:
                b[at:at] = b[rng.randrange(len(b)):][:rng.randrange(1, 30)]
        with open(path, "wb") as f:
            f.write(b)
        r = run([COMFYTOP, "status", "--config", path, "--server", "gpu"], timeout=20)
        if r.crashed or r.hung:
            crashes += 1
            if not first:
                keep = os.path.join(work, "config-crash.toml")
                shutil.copy(path, keep)
                first = f"{keep}: {r.brief()}"
    return count, crashes, first


def section(figures, work, log):
    seconds = 3 if QUICK else 30
    dirs = seed_corpus(work)
    if not os.listdir(dirs["frame"]) or not os.listdir(dirs["history"]):
        raise HarnessError("no recorded frames or /history bodies to seed the fuzzer")
    exe = build(work)
    for target in TARGETS:
        runs, crashes, first = libfuzzer(exe, target, dirs[target], seconds, work)
        if runs == 0 and crashes == 0:
            raise HarnessError(f"libFuzzer ran nothing for {target}")
        if crashes:
            log(f"  fuzz {target}: crash {first}")
        figures.add(f"fuzz: {LABELS[target]}", crashes, f"crashes in {runs:,} runs", "0", crashes == 0,
                    f"libFuzzer, {seconds} s, {len(os.listdir(dirs[target]))} seeds; {first}"[:300])
    runs, crashes, first = config_loop(work, 20 if QUICK else 300)
    if crashes:
        log(f"  fuzz config: {first}")
    figures.add("fuzz: config parser", crashes, f"crashes in {runs} runs", "0", crashes == 0,
                f"mutated config.toml through `comfytop status --config`; {first}"[:300])
