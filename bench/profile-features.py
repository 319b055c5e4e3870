#!/usr/bin/env python3
"""Where the gateway's CPU goes, per feature, from `perf script` output (stdin) of a profiled gateway.

Each sample is attributed to the feature of the innermost managed frame of its stack that names one (a JSON reader
called by the request inspector counts as inspection, and so do the system calls and the collections its work
causes); samples with no such frame go to the native layer they are in (kernel, GC, JIT).
Prints a Markdown table: feature, share of the process's samples, µs of CPU per request (given the request count and
the CPU seconds the process used while profiled)."""
import re
import sys

# Innermost match wins; order decides among patterns that could match the same frame.
FEATURES = [
    ("auth (API key check)", r"LlmHost\.Gateway\.Authentication|LlmHost\.Gateway\.Keys|Microsoft\.AspNetCore\.Authentication|Microsoft\.AspNetCore\.Authorization|SHA256|Sha256"),
    ("admission (limits)", r"LlmHost\.Gateway\.RateLimiting"),
    ("flow control", r"LlmHost\.Gateway\.FlowControl"),
    ("inspection (body read and fields)", r"RequestInspector|RequestBodyReader|JsonUnicode|InspectedRequest|BodyBuffer"),
    ("prompt counting", r"LlmHost\.Gateway\.Tokens"),
    ("routing (table, selection)", r"LlmHost\.Gateway\.Routing|BackendSelector"),
    ("metering (usage from the answer)", r"LlmHost\.Gateway\.Metering\.(MeteringStream|JsonUsageScanner|SseEventInspector|UsageReader|SseFraming|CompletionMeasurement)"),
    ("metrics (meters, OpenTelemetry)", r"LlmHost\.Gateway\.Observability\.GatewayMetrics|System\.Diagnostics\.Metrics|OpenTelemetry\.Metrics|Microsoft\.AspNetCore\.Hosting\.HostingMetrics|Kestrel.*Metrics"),
    ("tracing (activities)", r"RequestTraceObserver|System\.Diagnostics\.Activity|OpenTelemetry\.Trace|DiagnosticListener"),
    ("access log", r"LlmHost\.Gateway\.Observability\.AccessLogging|Serilog"),
    ("outcomes, usage counters", r"LlmHost\.Gateway\.Metering\.(RequestOutcomes|KeyUsageTracker)"),
    ("request path (proxy steps, body rewrite)", r"LlmHost\.Gateway\.Proxy|LlmHost\.Gateway\.ClientApis"),
    ("YARP forwarder", r"Yarp\."),
    ("HTTP client to the engine", r"System\.Net\.Http"),
    ("Kestrel and ASP.NET Core pipeline", r"Microsoft\.AspNetCore|Microsoft\.Extensions"),
    ("sockets and I/O", r"System\.Net\.Sockets|System\.IO\.Pipelines"),
    ("threads and async machinery", r"System\.Threading|System\.Runtime\.CompilerServices"),
]
# Native frames, when no managed frame names a feature.
NATIVE = [
    ("kernel (network, scheduling)", r"\[kernel"),
    ("JIT and tiering", r"libclrjit"),
    ("GC and runtime", r"libcoreclr|libc\.so|libSystem"),
]
COMPILED = [(name, re.compile(pattern)) for name, pattern in FEATURES]
NATIVE_COMPILED = [(name, re.compile(pattern)) for name, pattern in NATIVE]


def samples(lines):
    stack = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if stack:
                yield stack
            stack = []
        elif line.startswith((" ", "\t")):
            stack.append(line.strip())
        else:
            stack = []  # the sample's header line
    if stack:
        yield stack


def is_native(frame):
    return "[kernel" in frame or ".so" in frame


# The gateway's own features (and YARP's) are looked for first, anywhere in the stack: a lock, a task or an options
# read inside the limits is the limits' cost, not the framework's; then the framework layers; then native frames.
# Middleware frames are passed over in the first pass: the whole pipeline runs inside the access-log and
# authentication middleware, whose own work is in their handlers and writers.
OWN = COMPILED[:FEATURES.index(next(f for f in FEATURES if f[0] == "HTTP client to the engine"))]
FRAMEWORK = COMPILED[len(OWN):]


def feature_of(stack):
    for layer in (OWN, FRAMEWORK):
        for frame in stack:  # innermost first
            if is_native(frame) or (layer is OWN and "Middleware" in frame):
                continue
            for name, pattern in layer:
                if pattern.search(frame):
                    return name
    for frame in stack:
        for name, pattern in NATIVE_COMPILED:
            if pattern.search(frame):
                return name
    return "other (unresolved)"


def main():
    requests, cpu_seconds = float(sys.argv[1]), float(sys.argv[2])
    counts = {}
    total = 0
    for stack in samples(sys.stdin):
        counts[feature_of(stack)] = counts.get(feature_of(stack), 0) + 1
        total += 1
    print(f"| feature | share of the gateway's CPU | µs CPU per request |")
    print("|---|---:|---:|")
    for name, count in sorted(counts.items(), key=lambda item: -item[1]):
        share = count / total
        print(f"| {name} | {share * 100:.1f} % | {share * cpu_seconds * 1e6 / requests:.1f} |")
    print(f"| all ({total} samples) | 100 % | {cpu_seconds * 1e6 / requests:.1f} |")


main()
