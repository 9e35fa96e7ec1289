#!/usr/bin/env python3
"""Tables and plots from the RESULT lines of tests/bench/compare4.sh.

    tests/bench/plot_results.py --tables-only RESULTS...     markdown tables on stdout (stdlib only)
    tests/bench/plot_results.py [--doc docs/performance.md] [--png-dir docs/performance]
                                [--venv DIR] [--command CMD] RESULTS...

A RESULT line is perf_common.hpp's, with compare4.sh's fields appended (ext_cpu_s,
ext_cpu_us_per_msg, ext_rss_mb: the whole process measured from outside; client, table, case,
round). Each figure is the median over the rounds of one client, table, case and mode.

Without --tables-only it draws with matplotlib; when that is missing it makes a virtual
environment (default build-release/plot-venv), installs matplotlib there with pip and runs
itself again inside it. It writes two PNGs per table into --png-dir (CPU per record against
record size, records/s per client and case) and the page --doc with the tables, the plots, the
command that measured them and this machine's description.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
from collections import defaultdict

CLIENTS = ["kasio", "librdkafka", "java", "franz"]
LABELS = {"kasio": "kasio", "librdkafka": "librdkafka 2.14", "java": "Java 4.4", "franz": "franz-go 1.22"}
# Record value size of the cases that differ by size only (64 partitions); partition count of
# those that differ by partitions only (100-byte values).
SIZES = {"10b": 10, "100b": 100, "1kb": 1000, "100kb": 100000}
PARTITIONS = {"p6": 6, "100b": 64, "p1000": 1000}
CASE_ORDER = ["100b", "1kb", "lowrate", "10b", "100kb", "p6", "p1000", "gzip", "snappy", "lz4", "zstd", "acks1"]
TABLE_TITLES = {
    "own": "each client with its own defaults",
    "aligned": "aligned: acks=all, idempotence, linger.ms=5, batch.size=16384, 5 in flight "
               "(franz-go 1), no compression",
}
BROKERS = {"mock": "kasio-mock-broker", "kafka": "Apache Kafka 4.4, 3 brokers"}
TABLE_ORDER = ["mock/own", "mock/aligned", "kafka/own", "kafka/aligned"]


def title(table):
    broker, _, kind = table.partition("/")
    return f"{BROKERS.get(broker, broker)}, {TABLE_TITLES.get(kind, kind)}"


def parse(paths):
    rows = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                i = line.find("RESULT ")
                if i < 0:
                    continue
                fields = {}
                for tok in line[i + 7:].split():
                    if "=" in tok:
                        k, v = tok.split("=", 1)
                        fields[k] = v
                if "client" in fields and "mode" in fields:
                    # One table per broker kind and table: "mock/own", "kafka/aligned".
                    fields["table"] = fields.get("broker", "mock") + "/" + fields.get("table", "-")
                    rows.append(fields)
    return rows


def num(row, key):
    try:
        return float(row.get(key, "0"))
    except ValueError:
        return 0.0


def medians(rows):
    """(table, case, mode, client) -> {field: median}, plus 'rounds' and 'failed' (summed)."""
    groups = defaultdict(list)
    for r in rows:
        groups[(r.get("table", "-"), r.get("case", "-"), r["mode"], r["client"])].append(r)
    out = {}
    for key, rs in groups.items():
        m = {f: statistics.median(num(r, f) for r in rs)
             for f in ("msgs_per_s", "mb_per_s", "ext_cpu_us_per_msg", "cpu_us_per_msg", "ext_rss_mb",
                       "p50_ms", "p99_ms")}
        m["rounds"] = len(rs)
        m["failed"] = sum(int(num(r, "failed")) for r in rs)
        out[key] = m
    return out


def order(values, first):
    seen = [v for v in first if v in values]
    return seen + sorted(v for v in values if v not in seen)


def tables_markdown(med):
    lines = []
    tables = order({k[0] for k in med}, TABLE_ORDER)
    for table in tables:
        lines.append(f"### {title(table)}")
        lines.append("")
        lines.append("| case | mode | client | records/s | MB/s | CPU µs/record (process) | peak RSS MB | "
                     "p50 ms | p99 ms | rounds | failed |")
        lines.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        keys = [k for k in med if k[0] == table]
        for case in order({k[1] for k in keys}, CASE_ORDER):
            for mode in ("produce", "consume"):
                for client in order({k[3] for k in keys}, CLIENTS):
                    m = med.get((table, case, mode, client))
                    if not m:
                        continue
                    lat = (f"{m['p50_ms']:.1f} | {m['p99_ms']:.1f}" if mode == "produce" else "- | -")
                    lines.append(f"| {case} | {mode} | {LABELS.get(client, client)} | {m['msgs_per_s']:,.0f} | "
                                 f"{m['mb_per_s']:.1f} | {m['ext_cpu_us_per_msg']:.2f} | {m['ext_rss_mb']:.0f} | "
                                 f"{lat} | {m['rounds']} | {m['failed']} |")
        lines.append("")
    return "\n".join(lines)


def ensure_matplotlib(venv):
    try:
        import matplotlib  # noqa: F401
        return
    except ImportError:
        pass
    if os.environ.get("KASIO_PLOT_REEXEC"):
        sys.exit("plot_results: matplotlib still missing inside " + venv)
    py = os.path.join(venv, "bin", "python3")
    if not os.path.exists(py):
        print(f"plot_results: installing matplotlib into {venv}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([py, "-m", "pip", "install", "-q", "matplotlib"], check=True)
    env = dict(os.environ, KASIO_PLOT_REEXEC="1")
    os.execve(py, [py, os.path.abspath(__file__)] + sys.argv[1:], env)


def plot(med, png_dir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(png_dir, exist_ok=True)
    written = []
    for table in order({k[0] for k in med}, TABLE_ORDER):
        keys = [k for k in med if k[0] == table]
        clients = order({k[3] for k in keys}, CLIENTS)
        # CPU per record against record size, then against partitions; produce and consume
        # side by side; a line per client.
        for axis, (xs_of, xlabel, subtitle, stem, what) in {
            "size": (SIZES, "record value bytes", "64 partitions, 8-byte keys", "cpu-per-record",
                     "CPU per record against record size"),
            "partitions": (PARTITIONS, "partitions", "100-byte values, 8-byte keys", "cpu-per-record-partitions",
                           "CPU per record against partitions"),
        }.items():
            if len({k[1] for k in keys if k[1] in xs_of}) < 2:
                continue
            fig, axes = plt.subplots(1, 2, figsize=(10, 4))
            for ax, mode in zip(axes, ("produce", "consume")):
                for client in clients:
                    pts = sorted((xs_of[k[1]], med[k]["ext_cpu_us_per_msg"]) for k in keys
                                 if k[2] == mode and k[3] == client and k[1] in xs_of)
                    if pts:
                        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o",
                                label=LABELS.get(client, client))
                ax.set_xscale("log")
                ax.set_yscale("log")
                ax.set_xlabel(xlabel)
                ax.set_ylabel("CPU µs per record (whole process)")
                ax.set_title(f"{mode}, {subtitle}")
                ax.grid(True, alpha=0.3)
                ax.legend()
            fig.suptitle(title(table), fontsize=9)
            fig.tight_layout()
            name = f"{stem}-{table.replace('/', '-')}.png"
            fig.savefig(os.path.join(png_dir, name), dpi=100)
            plt.close(fig)
            written.append((table, name, what))

        # Records/s per client, one group of bars per case and mode.
        # The low-rate case runs at a fixed 1,000 records/s: nothing to compare here.
        groups = [(c, m) for c in order({k[1] for k in keys if k[1] != "lowrate"}, CASE_ORDER)
                  for m in ("produce", "consume") if any(k[1] == c and k[2] == m for k in keys)]
        fig, ax = plt.subplots(figsize=(max(10, 1.1 * len(groups)), 4))
        width = 0.8 / max(1, len(clients))
        for i, client in enumerate(clients):
            xs, ys = [], []
            for g, (c, m) in enumerate(groups):
                v = med.get((table, c, m, client))
                if v:
                    xs.append(g + i * width)
                    ys.append(v["msgs_per_s"])
            ax.bar(xs, ys, width, label=LABELS.get(client, client))
        ax.set_xticks([g + 0.4 - width / 2 for g in range(len(groups))])
        ax.set_xticklabels([f"{c} {m}" for c, m in groups], rotation=45, ha="right")
        ax.set_yscale("log")
        ax.set_ylabel("records/s (median, log scale)")
        ax.set_title(title(table), fontsize=9)
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend()
        fig.tight_layout()
        name = f"records-per-s-{table.replace('/', '-')}.png"
        fig.savefig(os.path.join(png_dir, name), dpi=100)
        plt.close(fig)
        written.append((table, name, "records/s per client"))
    return written


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            kb = int(f.readline().split()[1])
            mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({model}){mem}, Linux {platform.release()}"


def write_doc(path, med, pngs, png_dir, command, sources, notes):
    rel = os.path.relpath(png_dir, os.path.dirname(os.path.abspath(path)))
    out = []
    out.append("# Performance: kasio beside librdkafka, the Java client and franz-go\n")
    out.append("Generated by `tests/bench/plot_results.py` from the RESULT lines of "
               "`tests/bench/compare4.sh` (issue 20). Do not edit by hand: rerun the commands below.\n")
    out.append("## How it was measured\n")
    out.append(f"- Machine: {machine()}. The broker, the client and everything else on the machine "
               "share these cores, so the figures are noisy (run to run they move by 10-30 %); read "
               "the ratios between clients, not the digits.")
    out.append("- Broker: `kasio-mock-broker` (librdkafka 2.14.2's mock cluster, 3 brokers, in one "
               "process), a fresh one per round; topics of 64 partitions, replication 3. Not a real "
               "Kafka broker: the mock is cheap per request, so client costs dominate. "
               "With `--cluster`: a real Apache Kafka 4.4 cluster from "
               "`tests/support/kafka/cluster.sh` (one controller, three brokers, each its own JVM, "
               "on the same cores), topics of 64 partitions, replication 3, created per round.")
    out.append("- Clients: kasio (`kasio-perf`), librdkafka 2.14.2 (`rdkafka-perf`), the Java client "
               "kafka-clients 4.4.0 (`tests/bench/java-perf`, OpenJDK 17, default JVM flags) and "
               "franz-go v1.22.3 (`tests/bench/franz-perf`). One command line, payload and RESULT "
               "line (`examples/perf_common.hpp`); 8-byte keys (murmur2 spreads them alike).")
    out.append("- Each figure is the median of the rounds (column `rounds`), clients alternating: "
               "each round rotates the order in which they produce, then consume. Every consumer of "
               "a round reads the same records: the topic of the round's first producer that "
               "delivered them all.")
    out.append("- The mock answers a Fetch with at most one record batch per partition, so consuming "
               "it costs a round trip per producer batch, and it counts a flexible Fetch response's "
               "bytes wrongly (it adds up write offsets, not sizes: librdkafka 2.14.2's "
               "`rd_kafka_buf_write_kbytes`), so it stops filling a response long before the "
               "request's max_bytes. Both make mock consume figures depend on the producer's batch "
               "size and on how many bytes a client asks for: read them beside the real cluster's. "
               "It keeps about 5 MiB per partition, so the case counts stay below that.")
    out.append("- CPU per record is the whole process's user + system CPU measured from outside "
               "(`/usr/bin/time`), divided by the records: start-up, the JVM's JIT and GC and the Go "
               "runtime are in it. A JVM's start-up alone costs about a second of CPU, which a short "
               "run spreads over few records: the Java figures fall with longer runs. Peak RSS is "
               "the process's maximum resident set, from the same place.")
    out.append("- Producer latency is from the send call to the delivery report, with up to 16 MiB "
               "of records outstanding (the same window in every client), so at full speed it is "
               "mostly queueing; consumers have no latency figure. How each twin sends: rdkafka-perf, "
               "java-perf and franz-perf call send in a loop on the main thread while the client's "
               "own threads do the I/O (rdkafka-perf serves delivery reports every 1,024 sends); "
               "kasio-perf sends from its io_context's one thread, 256 sends at a time, posting the "
               "rest so that the sender and the sockets run in between (filling the window in one "
               "go had every record wait behind the whole window).")
    out.append("- *Own defaults*: kasio and Java: acks=all, idempotence, linger 5 ms, 16 KiB "
               "batches, 5 in flight, no compression. librdkafka: acks=all, no idempotence, linger "
               "5 ms, 1 MB batches, consistent_random partitioner. franz-go: acks=all, "
               "idempotence, no linger, 1 MB batches, **snappy** compression, 1 produce request "
               "in flight per broker. Consumers run with defaults in both tables.")
    out.append("- Java runs only against the real cluster: the mock's reply to the Java client's "
               "ApiVersions request parses as a throttle of about 20 minutes, so the client never "
               "gets further. franz-go asks the mock for ApiVersions v2 at most (it cannot parse the "
               "mock's v3+ reply); every other request keeps its own version range.")
    out.append("- The low-rate case (1,000 records/s, linger 0): every twin paces its sends with "
               "`--rate` (record i due at start + i/rate); latency is what matters there, and the "
               "CPU figure includes the waiting (timers, polls).")
    out.append("")
    out.append("Commands (on a quiet machine, from the repository root):\n")
    out.append("```sh")
    out.append(command)
    out.append("tests/bench/plot_results.py --doc docs/performance.md --png-dir docs/performance "
               "--notes docs/performance/notes.md " +
               " ".join(os.path.relpath(s) if not os.path.isabs(s) else "RESULTS.txt" for s in sources))
    out.append("```\n")
    out.append("## Tables (medians)\n")
    out.append(tables_markdown(med))
    out.append("## Plots\n")
    for table, name, what in pngs:
        out.append(f"![{what}, {title(table)}]({rel}/{name})\n")
    if notes:
        with open(notes, encoding="utf-8") as f:
            out.append(f.read())
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+")
    ap.add_argument("--tables-only", action="store_true")
    ap.add_argument("--doc")
    ap.add_argument("--png-dir", default="docs/performance")
    ap.add_argument("--notes", help="markdown appended to --doc (what the tables say, by hand)")
    ap.add_argument("--venv", default=os.path.join("build-release", "plot-venv"))
    ap.add_argument("--command", default="tests/bench/compare4.sh --count 1000000 --rounds 3 --out RESULTS.txt")
    args = ap.parse_args()
    med = medians(parse(args.results))
    if not med:
        sys.exit("plot_results: no RESULT lines with a client= field")
    print(tables_markdown(med))
    if args.tables_only:
        return
    ensure_matplotlib(os.path.abspath(args.venv))
    pngs = plot(med, args.png_dir)
    for _, name, _ in pngs:
        print(f"plot_results: wrote {os.path.join(args.png_dir, name)}", file=sys.stderr)
    if args.doc:
        write_doc(args.doc, med, pngs, args.png_dir, args.command, args.results, args.notes)
        print(f"plot_results: wrote {args.doc}", file=sys.stderr)


if __name__ == "__main__":
    main()
