using System.Diagnostics;

namespace LlmHost.Gateway.Routing.Load;

/// <summary>
/// The prompt tokens an instance is still prefilling for this gateway (flow control's
/// <c>max_prefill_tokens_per_instance</c>): a request holds its prompt's tokens from when it is sent until its first
/// byte comes back, or — since an unstreamed answer's first byte is its last — until its prefill should be over at
/// the instance's prefill rate (the tokens ahead of it and its own, at the rate). The rate is learnt from streamed
/// requests: the tokens that were ahead of one, plus its own, over its time to first token (a sample moves it by at
/// most a factor of two; one under 10 ms is not taken). Until a streamed request has taught it, an unstreamed request
/// holds its tokens to its end. A streamed request always holds them to its first byte.
/// </summary>
public sealed class PrefillLedger
{
    private const double RateWeight = 0.2;
    private const double PromptWeight = 0.1;
    // A first token sooner than this says more about a cache hit than about prefill speed.
    private static readonly TimeSpan MinSampleTime = TimeSpan.FromMilliseconds(10);

    private readonly Lock _lock = new();
    private readonly List<Hold> _holds = [];
    private double _tokensPerSecond;
    private double _meanPrompt;

    /// <summary>Prefill tokens per second, as learnt; 0 until a streamed request ended its prefill here.</summary>
    public double TokensPerSecond
    {
        get
        {
            lock (_lock)
            {
                return _tokensPerSecond;
            }
        }
    }

    /// <summary>The prompt tokens still in prefill here now.</summary>
    public long TokensInFlight()
    {
        lock (_lock)
        {
            return InFlight(Stopwatch.GetTimestamp());
        }
    }

    /// <summary>How many more requests may start their prefill under <paramref name="cap"/>: at least one while under it.</summary>
    public int Room(long cap)
    {
        lock (_lock)
        {
            var free = cap - InFlight(Stopwatch.GetTimestamp());
            return free <= 0 ? 0 : _meanPrompt == 0 ? 1 : (int)Math.Clamp(Math.Ceiling(free / Math.Max(1, _meanPrompt)), 1, int.MaxValue / 64);
        }
    }

    /// <summary>A request of <paramref name="tokens"/> prompt tokens is being sent here; a streamed one holds them to its first byte.</summary>
    public Hold Begin(long tokens, bool streamed = false)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            var ahead = InFlight(now);
            var until = !streamed && _tokensPerSecond > 0
                ? now + (long)Math.Min((ahead + tokens) / _tokensPerSecond * Stopwatch.Frequency, long.MaxValue / 2)
                : long.MaxValue;
            var hold = new Hold(this, tokens, ahead, now, until);
            _holds.Add(hold);
            _meanPrompt = _meanPrompt == 0 ? tokens : _meanPrompt + PromptWeight * (tokens - _meanPrompt);
            return hold;
        }
    }

    private void End(Hold hold, bool firstToken)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            if (!_holds.Remove(hold))
            {
                return;
            }
            var took = Stopwatch.GetElapsedTime(hold.Since, now);
            if (firstToken && took >= MinSampleTime)
            {
                // One sample moves the rate by at most a factor of two either way: a cached prefix answered in a few
                // milliseconds, or a padded body, cannot switch the cap off for everyone.
                var rate = (hold.Ahead + hold.Tokens) / took.TotalSeconds;
                _tokensPerSecond = _tokensPerSecond == 0 ? rate
                    : _tokensPerSecond + RateWeight * (Math.Clamp(rate, _tokensPerSecond / 2, _tokensPerSecond * 2) - _tokensPerSecond);
            }
        }
    }

    private long InFlight(long now)
    {
        long tokens = 0;
        foreach (var hold in _holds)
        {
            if (hold.Until > now)
            {
                tokens += hold.Tokens;
            }
        }
        return tokens;
    }

    /// <summary>One request's prompt in prefill; <see cref="End"/> once its first token arrived, or it ended without one.</summary>
    public sealed class Hold(PrefillLedger ledger, long tokens, long ahead, long since, long until)
    {
        public long Tokens { get; } = tokens;
        public long Ahead { get; } = ahead;
        public long Since { get; } = since;
        public long Until { get; } = until;

        /// <summary>Its first token came back (a streamed answer's first byte): the prefill is over, and times the rate.</summary>
        public void FirstToken() => ledger.End(this, firstToken: true);

        /// <summary>It ended (or failed) without a first token that times the prefill.</summary>
        public void End() => ledger.End(this, firstToken: false);
    }
}
