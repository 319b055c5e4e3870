namespace LlmHost.Gateway.Observability;

/// <summary>Status codes as cached strings: a label or attribute value per request without formatting an int each time.</summary>
public static class StatusTexts
{
    private static readonly string[] Texts = [.. Enumerable.Range(0, 600).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    public static string Of(int status) => status is >= 0 and < 600 ? Texts[status] : "other";
}
