using System.Text;

namespace WeChatHandlers.AspNetCore;

/// <summary>
/// A handler's exception as it is logged: the same type name, stack trace and inner exceptions, with every message
/// passed through <see cref="LogValue.Clean(string?, int)"/> (cut at <see cref="MaxMessageLength"/>). Exception messages often quote their input (a
/// <see cref="FormatException"/> names the string it could not parse), and a handler's input is the push: logged raw,
/// a push could write an unbounded line, terminal escapes or a forged second line into the log.
/// </summary>
/// <remarks>
/// Only an exception with a message to clean is replaced (<see cref="For"/>): any other is logged as it is, so that log
/// sinks that group failures by exception type still see the handler's own type.
/// </remarks>
internal sealed class LoggedException : Exception
{
    /// <summary>The longest logged exception message: far above <see cref="LogValue.MaxLength"/>, as messages explain failures.</summary>
    public const int MaxMessageLength = 1000;

    private readonly Exception _original;

    /// <summary>The exception to log: <paramref name="exception"/> itself when its messages are clean, else the cleaned copy.</summary>
    public static Exception For(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (!ReferenceEquals(LogValue.Clean(current.Message, MaxMessageLength), current.Message))
            {
                return new LoggedException(exception);
            }
        }

        return exception;
    }

    private LoggedException(Exception original)
        : base(LogValue.Clean(original.Message, MaxMessageLength), original.InnerException is { } inner ? new LoggedException(inner) : null)
    {
        _original = original;
        HResult = original.HResult;
        Source = original.Source;

        // An AggregateException (Task.WhenAll in a handler) holds several: each is shown, as its ToString shows them.
        Inner = original is AggregateException aggregate ? [.. aggregate.InnerExceptions.Select(e => new LoggedException(e))] : InnerException is LoggedException one ? [one] : [];
    }

    /// <summary>The cleaned copies of the original's inner exceptions (all of an <see cref="AggregateException"/>'s).</summary>
    public IReadOnlyList<LoggedException> Inner { get; }

    /// <summary>The type of the exception the handler threw.</summary>
    public Type OriginalType => _original.GetType();

    public override string? StackTrace => _original.StackTrace;

    /// <summary>As <see cref="Exception.ToString"/> prints the original, its messages cleaned.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(OriginalType.ToString());
        if (Message.Length > 0)
        {
            text.Append(": ").Append(Message);
        }

        for (int i = 0; i < Inner.Count; i++)
        {
            text.Append(i == 0 ? " ---> " : Environment.NewLine + $" ---> (Inner Exception #{i}) ").Append(Inner[i].ToString())
                .AppendLine().Append("   --- End of inner exception stack trace ---");
        }

        if (StackTrace is { } stack)
        {
            text.AppendLine().Append(stack);
        }

        return text.ToString();
    }
}
