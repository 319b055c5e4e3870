global using LlmHost.Tests.Infrastructure;
