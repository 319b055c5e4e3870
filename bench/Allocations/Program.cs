using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

// Attaches to a .NET process for the given seconds and sums the runtime's allocation samples (GCAllocationTick, one
// about every 100 KB a thread allocates, naming the type whose allocation crossed the mark) by type: an estimate of
// the bytes allocated per type. Prints "bytes<TAB>samples<TAB>type", largest first.
//   Allocations <pid> <seconds>
if (args.Length != 2 || !int.TryParse(args[0], out var pid) || !int.TryParse(args[1], out var seconds))
{
    Console.Error.WriteLine("usage: Allocations <pid> <seconds>");
    return 2;
}
var client = new DiagnosticsClient(pid);
var providers = new[]
{
    new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Verbose, (long)ClrTraceEventParser.Keywords.GC),
};
using var session = client.StartEventPipeSession(providers, requestRundown: false);
using var source = new EventPipeEventSource(session.EventStream);
var byType = new Dictionary<string, (long Bytes, int Samples)>(StringComparer.Ordinal);
source.Clr.GCAllocationTick += e =>
{
    var name = e.TypeName ?? "?";
    var (bytes, samples) = byType.GetValueOrDefault(name);
    byType[name] = (bytes + e.AllocationAmount64, samples + 1);
};
var stop = Task.Delay(TimeSpan.FromSeconds(seconds)).ContinueWith(_ => session.Stop(), TaskScheduler.Default);
source.Process();
await stop;
foreach (var (type, (bytes, samples)) in byType.OrderByDescending(p => p.Value.Bytes))
{
    Console.WriteLine($"{bytes}\t{samples}\t{type}");
}
return 0;
