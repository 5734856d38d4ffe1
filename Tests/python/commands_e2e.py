#!/usr/bin/env python3
"""upload, models, nodes, free, wait, submit batches (--count, --sweep, several files), --prompt/--negative and
--set NODE.INPUT=@FILE, run as a user runs them against `comfytop mock`: exit codes, --json, messages, and the
mock's own answers to the raw routes checked against server.py. Runs against every server version the mock
offers (`--server-version`)."""
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Checks, binary as comfytop_binary, start_mock, stop  # noqa: E402

binary = comfytop_binary()
check = Checks()


def versions():
    """The mock's server versions (just the default when it has no --server-version)."""
    out = subprocess.run([binary, "mock", "--help"], capture_output=True, text=True).stdout
    return ["0.3.64", "current"] if "--server-version" in out else [None]


def raw(url, path, body=b"", content_type="application/json"):
    """POSTs bytes; returns (status, body text)."""
    request = urllib.request.Request(url + path, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def form(fields, file_bytes=None, filename="x.png", file_field="image"):
    boundary = "b" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    if file_bytes is not None:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
                     f'Content-Type: image/png\r\n\r\n'.encode() + file_bytes + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def get_json(url, path):
    with urllib.request.urlopen(url + path, timeout=30) as r:
        return json.loads(r.read())


def suite(version):
    tag = f"[{version or 'default'}] "
    work = tempfile.mkdtemp(prefix="comfytop-cmds-")
    data = os.path.join(work, "data")
    extra = ["--speed", "10"] + (["--server-version", version] if version else [])
    mock, url = start_mock(binary, data, *extra)
    lines = []
    threading.Thread(target=lambda: lines.extend(iter(mock.stderr.readline, "")), daemon=True).start()

    def run(*args, cwd=work, stdin=None):
        env = dict(os.environ, XDG_DATA_HOME=os.path.join(work, "xdg"), XDG_CONFIG_HOME=os.path.join(work, "cfg"))
        p = subprocess.run([binary, *args, "--url", url], capture_output=True, text=True, timeout=180, cwd=cwd,
                           env=env, input=stdin if stdin is not None else "")
        return p.returncode, p.stdout, p.stderr

    def write(name, obj):
        path = os.path.join(work, name)
        with open(path, "w") as f:
            json.dump(obj, f)
        return path

    def c(cond, what):
        check(cond, tag + what)

    try:
        png = open(os.path.join(data, "input", "example.png"), "rb").read() \
            if os.path.exists(os.path.join(data, "input", "example.png")) else b"\x89PNG\r\n\x1a\nfake-a"
        photo = os.path.join(work, "photo.png")
        with open(photo, "wb") as f:
            f.write(png + b"-one")

        # upload
        code, out, err = run("upload", photo)
        c(code == 0 and "photo.png → photo.png" in out, "upload prints the stored name")
        code, out, _ = run("upload", photo, "--json")
        answer = json.loads(out) if code == 0 else [{}]
        c(code == 0 and answer[0].get("name") == "photo.png" and answer[0].get("renamed") is False,
          "the same bytes again reuse the name (server.py's hash check)")
        other = os.path.join(work, "other", "photo.png")
        os.makedirs(os.path.dirname(other))
        with open(other, "wb") as f:
            f.write(png + b"-two")
        code, out, _ = run("upload", other, "--json")
        answer = json.loads(out) if code == 0 else [{}]
        c(answer[0].get("name") == "photo (1).png" and answer[0].get("renamed") is True,
          "a different file of the same name is stored as 'photo (1).png'")
        code, out, _ = run("upload", other, "--overwrite", "--json")
        c(code == 0 and json.loads(out)[0]["name"] == "photo.png", "--overwrite keeps the name")
        with open(os.path.join(data, "input", "photo.png"), "rb") as f:
            c(f.read() == png + b"-two", "--overwrite replaced the file on the server")
        code, out, _ = run("upload", photo, "--subfolder", "refs", "--type", "temp")
        c(code == 0 and "refs/photo.png [temp]" in out, "--subfolder and --type: the input value is annotated")
        code, out, err = run("upload", photo, os.path.join(work, "missing.png"))
        c(code == 2 and "missing.png" in err and "no such file" in err and out == "",
          "a missing file exits 2 before anything is sent")
        code, out, err = run("upload", photo, "--subfolder", "../../escape")
        c(code == 1 and "400" in err and "not uploaded" in err, "a subfolder outside the folder: the server's 400, exit 1")
        code, out, _ = run("upload", photo, "--mask-for", "photo.png", "--subfolder", "clipspace", "--json")
        c(code == 0 and json.loads(out)[0]["subfolder"] == "clipspace", "a mask upload (/upload/mask) is accepted")
        c(os.path.exists(os.path.join(data, "input", "clipspace", "photo.png")), "the masked image is written")

        # The mock's raw answers, as server.py's image_upload gives them.
        body, ctype = form({"type": "bogus"}, png)
        c(raw(url, "/upload/image", body, ctype)[0] == 500, "mock: an unknown type is a 500 (unbound type_dir)")
        body, ctype = form({"type": "input"})
        c(raw(url, "/upload/image", body, ctype)[0] == 400, "mock: no image part is a 400")
        c(raw(url, "/upload/image", b"{}")[0] == 400, "mock: a body that is not a form is a 400")
        body, ctype = form({"overwrite": "TRUE"}, png + b"-three", filename="photo.png")
        status, text = raw(url, "/upload/image", body, ctype)
        c(status == 200 and json.loads(text)["name"] == "photo (2).png", "mock: overwrite must be exactly true or 1")
        body, ctype = form({}, png, filename="../up.png")
        c(raw(url, "/upload/image", body, ctype)[0] == 400, "mock: a file name that leaves the folder is a 400")
        body, ctype = form({"original_ref": "{\"filename\": \"nope.png\"}"}, png + b"-m", filename="m.png")
        status, text = raw(url, "/upload/mask", body, ctype)
        c(status == 200 and not os.path.exists(os.path.join(data, "input", "m.png")),
          "mock: a mask for a missing original answers 200 and writes nothing")
        body, ctype = form({}, png + b"-m2", filename="m2.png")
        c(raw(url, "/upload/mask", body, ctype)[0] == 500, "mock: a mask without original_ref is a 500")

        # models
        code, out, _ = run("models")
        c(code == 0 and "checkpoints" in out.split() and "loras" in out.split(), "models lists the folders")
        code, out, _ = run("models", "checkpoints", "--json")
        c(code == 0 and any(n.endswith(".safetensors") for n in json.loads(out)), "models FOLDER --json")
        code, out, err = run("models", "nope")
        c(code == 1 and "no model folder \"nope\"" in err and "checkpoints" in err,
          "an unknown folder exits 1 and lists the folders")
        c(raw(url, "/models/nope", b"")[0] in (404, 405), "mock: /models/unknown is a 404")

        # nodes
        code, out, _ = run("nodes")
        c(code == 0 and any(l.startswith("KSampler ") for l in out.splitlines()), "nodes lists the classes")
        code, out, _ = run("nodes", "--search", "EMPTY latent", "--json")
        found = [n["name"] for n in json.loads(out)] if code == 0 else []
        c(found == ["EmptyLatentImage"], "nodes --search matches display names, in any case")
        code, out, _ = run("nodes", "--search", "sampling")
        c(code == 0 and "KSampler" in out, "nodes --search matches categories")
        code, out, _ = run("nodes", "KSampler")
        c(code == 0 and re.search(r"seed\s+INT\s+default 0", out) and "sampler_name" in out and "choices" in out
          and "LATENT" in out, "nodes CLASS shows inputs with types, defaults, choices, and outputs")
        code, out, _ = run("nodes", "KSampler", "--json")
        c(code == 0 and "input" in json.loads(out), "nodes CLASS --json is the server's object_info entry")
        code, out, err = run("nodes", "ksamp")
        c(code == 1 and "no node class" in err and "KSampler" in err, "an unknown class exits 1 with similar names")

        # free
        code, out, _ = run("free", "--free-memory", "--json")
        c(code == 0 and json.loads(out) == {"unload_models": True, "free_memory": True}, "free --free-memory --json")
        code, out, _ = run("free")
        c(code == 0 and "unload the models" in out, "free unloads the models by default")
        c(raw(url, "/free", b"[]")[0] == 500, "mock: /free with a body that is not an object is a 500")

        wf = {
            "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
            "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 512, "batch_size": 1}},
            "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a red fox", "clip": ["4", 1]}},
            "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["4", 1]}},
            "3": {"class_type": "KSampler", "inputs": {"seed": 1, "steps": 4, "cfg": 7.0, "sampler_name": "euler",
                                                        "scheduler": "normal", "denoise": 1.0, "model": ["4", 0],
                                                        "positive": ["6", 0], "negative": ["7", 0],
                                                        "latent_image": ["5", 0]}},
            "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
            "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0], "filename_prefix": "cmd/fox"}},
        }
        wf_path = write("wf.json", wf)

        # --prompt / --negative
        code, out, _ = run("submit", wf_path, "--prompt", "a cat in a hat", "--negative", "dark", "--wait", "--json",
                           "--no-download")
        pid = json.loads(out).get("prompt_id", "") if code == 0 else ""
        graph = get_json(url, f"/history/{pid}").get(pid, {}).get("prompt", [0, 0, {}])[2] if pid else {}
        c(code == 0 and graph.get("6", {}).get("inputs", {}).get("text") == "a cat in a hat"
          and graph.get("7", {}).get("inputs", {}).get("text") == "dark",
          "--prompt and --negative set the texts that feed the sampler")
        two = dict(wf)
        two["13"] = {"class_type": "KSampler", "inputs": dict(wf["3"]["inputs"], positive=["16", 0])}
        two["16"] = {"class_type": "CLIPTextEncode", "inputs": {"text": "refined", "clip": ["4", 1]}}
        code, out, err = run("submit", write("two.json", two), "--prompt", "x")
        c(code == 2 and "ambiguous" in err and "6.text" in err and "16.text" in err and "--set" in err and out == "",
          "an ambiguous --prompt exits 2 naming the candidates and --set, and queues nothing")

        # --set NODE.INPUT=@FILE
        img = {
            "10": {"class_type": "LoadImage", "inputs": {"image": "example.png"}},
            "11": {"class_type": "SaveImage", "inputs": {"images": ["10", 0], "filename_prefix": "cmd/up"}},
        }
        img_path = write("img.json", img)
        shot = os.path.join(work, "shot.png")
        with open(shot, "wb") as f:
            f.write(png)
        code, out, err = run("submit", img_path, "--set", "10.image=@" + shot, "--wait", "--json", "--no-download")
        pid = json.loads(out).get("prompt_id", "") if code == 0 else ""
        graph = get_json(url, f"/history/{pid}").get(pid, {}).get("prompt", [0, 0, {}])[2] if pid else {}
        c(code == 0 and graph.get("10", {}).get("inputs", {}).get("image") == "shot.png"
          and os.path.exists(os.path.join(data, "input", "shot.png")),
          "--set 10.image=@FILE uploads the file and queues the name the server gave")
        code, out, err = run("submit", img_path, "--set", "10.image=@" + os.path.join(work, "nope.png"))
        c(code == 2 and "nope.png" in err and out == "", "--set @FILE of a missing file exits 2 and queues nothing")
        late = os.path.join(work, "late.png")
        with open(late, "wb") as f:
            f.write(png + b"-late")
        code, out, err = run("submit", img_path, "--set", "10.image=@" + late, "--prompt", "x")
        c(code == 2 and "no sampler" in err and not os.path.exists(os.path.join(data, "input", "late.png")),
          "a usage error found after reading @FILE (here --prompt) uploads nothing")

        # batches
        code, out, err = run("submit", wf_path, "--count", "2", "--sweep", "3.cfg=5,7")
        ids = out.split()
        c(code == 0 and len(ids) == 4 and all(re.fullmatch(r"[0-9a-f-]{36}", i) for i in ids),
          "--count 2 --sweep 3.cfg=5,7 queues 4 jobs and prints their ids")
        code, out, err = run("wait", *ids, "--json")
        result = json.loads(out) if out.strip().startswith("[") else []
        c(code == 0 and [r.get("prompt_id") for r in result] == ids and all(r.get("status") == "success" for r in result),
          "wait ID... --json: one object per job, in order, all success")
        graphs = [get_json(url, f"/history/{i}").get(i, {}).get("prompt", [0, 0, {}])[2] for i in ids]
        cfgs = [g.get("3", {}).get("inputs", {}).get("cfg") for g in graphs]
        seeds = [g.get("3", {}).get("inputs", {}).get("seed", -1) for g in graphs]
        c(cfgs == [5, 7, 5, 7] and seeds[0] == seeds[1] and seeds[2] == seeds[3] and seeds[0] != seeds[2]
          and all(0 <= s < 2 ** 32 for s in seeds), "the grid's values, and new 32-bit seeds for each copy")
        code, out, err = run("wait", "-", "--json", stdin="\n".join(ids[:2]) + "\n")
        result = json.loads(out) if out.strip().startswith("[") else []
        c(code == 0 and [r.get("prompt_id") for r in result] == ids[:2], "wait - reads the ids from standard input")
        code, out, err = run("wait", "-", stdin="")
        c(code == 2 and "no prompt ids" in err, "wait - with nothing on standard input is a usage error")
        code, out, err = run("wait", ids[0])
        c(code == 0 and "success" in out and "1 job: 1 done, 0 failed" in out, "wait on a finished job returns at once")

        fail = write("fail.json", {
            "1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}},
            "2": {"class_type": "FailAfter", "inputs": {"image": ["1", 0], "steps": 3, "fail_at": 1, "delay_ms": 10}},
            "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}},
        })
        outdir = os.path.join(work, "batch-out")
        code, out, err = run("submit", wf_path, fail, "--sweep", "4.ckpt_name=a,b", "--wait")
        c(code == 2 and "fail.json has no node 4" in err and out == "",
          "a sweep over a node one workflow lacks exits 2 before anything is queued")
        code, out, err = run("submit", wf_path, fail, "--wait", "--output-dir", outdir)
        c(code == 1 and "2 jobs: 1 done, 1 failed, 1 file" in out and "FailAfter" in out,
          "two workflows in one call: the summary counts done, failed and files; exit 1")
        c(re.search(r"\[1/2\] (success|failed) ", err) and re.search(r"\[2/2\] (success|failed) ", err)
          and "\x1b[" not in err, "plain progress lines per job when stderr is not a terminal")
        store = os.path.join(work, "store")
        code, out, err = run("submit", wf_path, "--count", "3", "--wait", "--json", "--output-dir", outdir,
                             "--data-dir", store)
        result = json.loads(out) if out.strip().startswith("[") else []
        code2, out2, _ = run("history", "--local", "--json", "--data-dir", store)
        listed = json.loads(out2) if code2 == 0 and out2.strip() else []
        listed = listed.get("runs", []) if isinstance(listed, dict) else listed
        kept = {r.get("prompt_id") for r in listed}
        c({r.get("prompt_id") for r in result} <= kept and len(result) == 3,
          "a batch's runs are kept in the local store (--data-dir)")
        c(code == 0 and len(result) == 3 and all(r.get("status") == "success" and len(r.get("saved", [])) == 1 for r in result)
          and [r.get("label") for r in result] == ["wf.json", "wf.json #2", "wf.json #3"],
          "--count 3 --wait --json: an array of 3 jobs with labels and saved files")
        bad = write("bad.json", {"1": {"class_type": "SlowSteps", "inputs": {}},
                                 "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0]}}})
        code, out, err = run("submit", wf_path, bad, "--wait", "--json", "--no-download")
        result = json.loads(out) if out.strip().startswith("[") else []
        c(code == 1 and [r.get("status") for r in result] == ["success", "rejected"]
          and "Required input is missing" in result[1].get("error", ""),
          "a refused workflow in a batch: the others run, it is 'rejected', exit 1")

        # wait: unknown, timeout
        code, out, err = run("wait", "00000000-0000-0000-0000-000000000000", "--json")
        result = json.loads(out) if out.strip().startswith("[") else []
        c(code == 1 and result and result[0].get("status") == "unknown", "wait on an unknown id exits 1 (unknown)")
        slow = write("slow.json", {
            "1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}},
            "2": {"class_type": "SlowSteps", "inputs": {"image": ["1", 0], "steps": 40, "delay_ms": 250,
                                                             "send_preview": False, "send_text": False, "seed": 0}},
            "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "slow"}},
        })
        code, out, _ = run("submit", slow)
        slow_id = out.strip()
        code, out, err = run("wait", slow_id, "--timeout", "1")
        c(code == 1 and "timeout" in out, "wait --timeout: a job still running is 'timeout', exit 1")
        run("cancel", slow_id)
        code, _, err = run("wait")
        c(code == 2, "wait without ids is a usage error")
    finally:
        stop(mock)


for v in versions():
    suite(v)
check.finish()
