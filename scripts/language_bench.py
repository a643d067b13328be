#!/usr/bin/env python3
"""Does speaking a language cost throughput? Issue 14's check: the desk's pages rendered in each
language against the same pages of a build from before the desk spoke any language but English.

    python3 scripts/language_bench.py --old-binary /tmp/canceldesk-old [--cases 200000]
                                      [--duration 10] [--rounds 3]

Build the old binary from an earlier commit first, sharing this checkout's target folder so only
the crate itself compiles again, e.g.:

    git worktree add /tmp/old 9835eb0
    (cd /tmp/old && CARGO_TARGET_DIR=$PWD/../main/target cargo build --release --bin canceldesk)
    cp target/release/canceldesk /tmp/canceldesk-old

Seeds two databases of the same demo data (`canceldesk_lang_old` by the old binary, whose
migrations it knows, and `canceldesk_lang_new` by this one), starts both servers, and loads the
queue's first page and a case page with wrk, old and new in a new order every round. Prints
requests/s, p50/p99 and each language's throughput as a ratio of the old build's.
"""
import argparse, os, random, re, statistics, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from perf_bench import ROOT, sh, wait_for, wrk, sign_in as perf_sign_in  # noqa: E402

OLD_PORT, NEW_PORT = 18090, 18091
LANGUAGES = ["en", "id", "zh-CN"]


def sign_in(base):
    """The demo agent's session cookie, without a language: each run adds its own."""
    opener, cookie = perf_sign_in(base)
    return opener, "; ".join(c for c in cookie.split("; ") if not c.startswith("lang="))


def serve(binary, db, port, env):
    env = {**env, "CANCELDESK_DATABASE_NAME": db, "CANCELDESK_BIND": f"127.0.0.1:{port}"}
    return subprocess.Popen([binary, "serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--old-binary", required=True)
    ap.add_argument("--cases", type=int, default=200_000)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pages", default="queue first page,case page", help="comma-separated: queue first page, case page")
    args = ap.parse_args()
    sh("cargo", "build", "--release", "--quiet", "--bin", "canceldesk")
    new_binary = os.path.join(ROOT, "target/release/canceldesk")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(CANCELDESK_LOG="warn")
    for binary, db in ((args.old_binary, "canceldesk_lang_old"), (new_binary, "canceldesk_lang_new")):
        print(sh(binary, "demo", "--cases", str(args.cases), "--reuse", env={**env, "CANCELDESK_DATABASE_NAME": db}, capture=True).strip())
    old = serve(args.old_binary, "canceldesk_lang_old", OLD_PORT, env)
    new = serve(new_binary, "canceldesk_lang_new", NEW_PORT, env)
    try:
        old_url, new_url = f"http://127.0.0.1:{OLD_PORT}", f"http://127.0.0.1:{NEW_PORT}"
        wait_for(old_url + "/healthz")
        wait_for(new_url + "/healthz")
        old_opener, old_cookie = sign_in(old_url)
        _, new_cookie = sign_in(new_url)
        # The same case on both: the demo data are the same.
        queue = old_opener.open(old_url + "/queue").read().decode()
        reference = re.search(r'href="/cases/([^"]+)"', queue).group(1)
        pages = {"queue first page": "/queue", "case page": f"/cases/{reference}"}
        pages = {name: path for name, path in pages.items() if name in args.pages.split(",")}
        results = {}
        for round_no in range(1, args.rounds + 1):
            print(f"round {round_no}/{args.rounds}", flush=True)
            for name, path in pages.items():
                # A new order every round: no variant always runs first, or after the same one.
                variants = ["before"] + LANGUAGES
                random.Random(round_no).shuffle(variants)
                for lang in variants:
                    if lang == "before":
                        run = wrk(old_url + path, old_cookie, args.duration, args.connections)
                    else:
                        run = wrk(new_url + path, f"{new_cookie}; lang={lang}", args.duration, args.connections)
                    results.setdefault((name, lang), []).append(run)
        print(f"\n{args.cases:,} cases · wrk {args.connections} connections · {args.rounds} rounds of {args.duration} s\n")
        print("| page | language | requests/s | p50 ms | p99 ms | × before (English only) |")
        print("|---|---|---:|---:|---:|---:|")
        for name in pages:
            before = statistics.mean(r[0] for r in results[(name, "before")])
            for lang in ["before"] + LANGUAGES:
                runs = results[(name, lang)]
                rps = statistics.mean(r[0] for r in runs)
                p50, p99 = statistics.median(r[1] for r in runs), max(r[2] for r in runs)
                label = "before (English only)" if lang == "before" else lang
                verdict = "" if lang == "before" else (" (within 5%: met)" if rps >= 0.95 * before else " (within 5%: MISSED)")
                print(f"| {name} | {label} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {rps / before:.3f}{verdict} |")
    finally:
        old.terminate()
        new.terminate()


if __name__ == "__main__":
    main()
