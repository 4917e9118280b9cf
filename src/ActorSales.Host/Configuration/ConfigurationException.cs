namespace ActorSales.Host.Configuration;

/// <summary>A bad setting: the host prints the message as one line and exits with code 78 (EX_CONFIG).</summary>
public sealed class ConfigurationException(string message) : Exception(message);
