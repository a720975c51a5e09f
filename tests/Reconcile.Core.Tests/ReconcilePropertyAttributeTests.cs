using System.Text.RegularExpressions;
using FsCheck.Xunit;
using Microsoft.FSharp.Core;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Reconcile.Core.Tests;

/// <summary>
/// The environment variables reach FsCheck: two small properties are run through FsCheck.Xunit's own
/// test case, as the test runner runs every property, with the variables given to them alone.
/// </summary>
public class ReconcilePropertyAttributeTests
{
    [Fact]
    public async Task TheMaxTestVariableSetsHowManyCasesEveryPropertyRuns()
    {
        Assert.True((await Run(nameof(Probes.Counted), [])).Passed);
        Assert.Equal(ReconcilePropertyAttribute.DefaultMaxTest, Probes.Cases);

        Assert.True((await Run(nameof(Probes.Counted), new() { [ReconcilePropertyAttribute.MaxTestVariable] = "37" })).Passed);
        Assert.Equal(37, Probes.Cases);

        // Not a positive number: the default, not zero cases.
        Assert.True((await Run(nameof(Probes.Counted), new() { [ReconcilePropertyAttribute.MaxTestVariable] = "-5" })).Passed);
        Assert.Equal(ReconcilePropertyAttribute.DefaultMaxTest, Probes.Cases);
    }

    [Fact]
    public async Task TheReplayVariableReproducesAFailureFromTheSeedItPrinted()
    {
        var first = await Run(nameof(Probes.FailsOnSomeLists), []);
        Assert.False(first.Passed);
        var falsified = Regex.Match(first.Message, @"Falsifiable, after (\d+) tests? \(\d+ shrinks?\) \((\d+),(\d+)\)", RegexOptions.CultureInvariant);
        Assert.True(falsified.Success, first.Message);
        var original = Regex.Match(first.Message, @"Original:\s*(\S.*)", RegexOptions.CultureInvariant).Groups[1].Value;
        Assert.NotEmpty(original);

        // Pasted back as the failure message names it: the same counterexample after the same number of tests.
        var seed = $"{falsified.Groups[2].Value},{falsified.Groups[3].Value}";
        for (var again = 0; again < 3; again++)
        {
            var replayed = await Run(nameof(Probes.FailsOnSomeLists), new() { [ReconcilePropertyAttribute.ReplayVariable] = seed });
            Assert.False(replayed.Passed);
            Assert.Contains($"Falsifiable, after {falsified.Groups[1].Value} test", replayed.Message, StringComparison.Ordinal);
            Assert.Contains("Original:", replayed.Message, StringComparison.Ordinal);
            Assert.Equal(original, Regex.Match(replayed.Message, @"Original:\s*(\S.*)", RegexOptions.CultureInvariant).Groups[1].Value);
        }
    }

    /// <summary>Not public, so the test runner does not collect them itself.</summary>
#pragma warning disable xUnit1000 // on purpose: only the tests above run these properties
    private static class Probes
    {
        private static int cases;

        public static int Cases => Volatile.Read(ref cases);

        public static void Reset() => Volatile.Write(ref cases, 0);

        [ReconcileProperty]
        public static bool Counted(int x)
        {
            Interlocked.Increment(ref cases);
            return x == x + 0;
        }

        /// <summary>Fails for lists whose sum passes 40, which random lists of growing size soon reach.</summary>
        [ReconcileProperty]
        public static bool FailsOnSomeLists(int[] xs) => xs.Sum(x => (long)Math.Abs(x)) <= 40;
    }
#pragma warning restore xUnit1000

    private sealed record Outcome(bool Passed, string Message);

    private static async Task<Outcome> Run(string probe, Dictionary<string, string> environment)
    {
        Probes.Reset();
        ReconcilePropertyAttribute.Environment.Value = name => environment.GetValueOrDefault(name);
        try
        {
            var assembly = new TestAssembly(Reflector.Wrap(typeof(Probes).Assembly));
            var testClass = new TestClass(new TestCollection(assembly, null, "probes"), Reflector.Wrap(typeof(Probes)));
            var method = new TestMethod(testClass, Reflector.Wrap(typeof(Probes).GetMethod(probe)!));
            using var testCase = new PropertyTestCase(new NullMessageSink(), TestMethodDisplay.Method, TestMethodDisplayOptions.None, method, FSharpOption<object[]>.None);
            var bus = new Messages();
            using var cancel = new CancellationTokenSource();
            await testCase.RunAsync(new NullMessageSink(), bus, [], new ExceptionAggregator(), cancel);
            var result = bus.Received.OfType<ITestResultMessage>().Single();
            return result switch
            {
                ITestPassed => new Outcome(true, result.Output),
                ITestFailed failed => new Outcome(false, string.Join("\n", failed.Messages) + "\n" + result.Output),
                _ => throw new InvalidOperationException("the probe did not run: " + result.GetType().Name),
            };
        }
        finally
        {
            ReconcilePropertyAttribute.Environment.Value = null;
        }
    }

    private sealed class Messages : IMessageBus
    {
        public List<IMessageSinkMessage> Received { get; } = [];

        public bool QueueMessage(IMessageSinkMessage message)
        {
            lock (Received)
            {
                Received.Add(message);
            }
            return true;
        }

        public void Dispose()
        {
        }
    }
}
