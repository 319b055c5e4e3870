using Yarp.ReverseProxy.Forwarder;

namespace LlmHost.Gateway.Proxy;

/// <summary>How one forwarding attempt ended: the forwarder's error (if any) and the status sent to the client.</summary>
public readonly record struct ForwardOutcome(ForwarderError Error, int Status, bool RequestNotSent)
{
    /// <summary>Not sent: the instance was being put to sleep since it was picked; the next attempt goes elsewhere.</summary>
    public static readonly ForwardOutcome Asleep = new(ForwarderError.Request, StatusCodes.Status503ServiceUnavailable, RequestNotSent: true);

    /// <summary>Not sent: the request's adapter was being unloaded from the instance since it was placed there.</summary>
    public static readonly ForwardOutcome AdapterGone = new(ForwarderError.None, 0, RequestNotSent: true) { AdapterMoved = true };

    /// <summary>The adapter the request was placed with is no longer on the instance (<see cref="AdapterGone"/>).</summary>
    public bool AdapterMoved { get; init; }

    /// <summary>Failures that speak about the backend's health (not the client's): connection, timeout, 5xx.</summary>
    public bool IsBackendFailure => Error == ForwarderError.None ? Status is >= 500 and not 501 : !IsClientGone;

    /// <summary>The client cancelled or disconnected: nobody is left to answer, and no backend is to blame.</summary>
    public bool IsClientGone => Error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
        or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient or ForwarderError.UpgradeResponseClient;
}
