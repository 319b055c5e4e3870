using Yarp.ReverseProxy.Forwarder;

namespace LlmHost.Gateway.Proxy;

/// <summary>How one forwarding attempt ended: the forwarder's error (if any) and the status sent to the client.</summary>
public readonly record struct ForwardOutcome(ForwarderError Error, int Status, bool RequestNotSent)
{
    /// <summary>Failures that speak about the backend's health (not the client's): connection, timeout, 5xx.</summary>
    public bool IsBackendFailure => Error == ForwarderError.None ? Status is >= 500 and not 501 : !IsClientGone;

    /// <summary>The client cancelled or disconnected: nobody is left to answer, and no backend is to blame.</summary>
    public bool IsClientGone => Error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
        or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient or ForwarderError.UpgradeResponseClient;
}
