namespace LlmHost.Gateway.RateLimiting;

/// <summary>The outcome of asking the limits: a ticket to go on with, or why not; and the headers' figures.</summary>
public readonly record struct Admission(LimitTicket? Ticket, LimitRejection Rejection, LimitState State)
{
    public bool IsAdmitted => Ticket is not null;
}
