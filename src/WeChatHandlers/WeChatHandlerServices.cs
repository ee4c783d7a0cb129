using Microsoft.Extensions.DependencyInjection;

namespace WeChatHandlers;

/// <summary>One service a handler takes from DI: a parameter of the method or of its class's constructor.</summary>
/// <param name="Handler">The handler, as <c>Type.Method</c>.</param>
/// <param name="Service">The service type.</param>
public readonly record struct WeChatHandlerRequirement(string Handler, Type Service);

/// <summary>
/// The services one assembly's handlers take from DI, registered by its generated <c>AddWeChatHandlers()</c>, so that a
/// missing registration fails the application's start, naming the handler and the service, instead of failing every
/// push that reaches that handler. <c>MapWeChatCallback</c> calls <see cref="EnsureRegistered"/>.
/// </summary>
public sealed class WeChatHandlerServices
{
    /// <summary>Creates the list (the generated registration does).</summary>
    public WeChatHandlerServices(IReadOnlyList<WeChatHandlerRequirement> requirements)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        Requirements = requirements;
    }

    /// <summary>Every service a handler of the assembly takes, with the handler that takes it.</summary>
    public IReadOnlyList<WeChatHandlerRequirement> Requirements { get; }

    /// <summary>
    /// Throws <see cref="InvalidOperationException"/> when no <see cref="IWeChatDispatcher"/> is registered (the generated
    /// <c>AddWeChatHandlers()</c> was not called), or when a service a handler takes is not registered; the message names each.
    /// </summary>
    public static void EnsureRegistered(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var isService = services.GetService<IServiceProviderIsService>();
        if (isService is null)
        {
            // A container that cannot answer the question: the first push will tell.
            return;
        }

        if (!isService.IsService(typeof(IWeChatDispatcher)))
        {
            throw new InvalidOperationException(
                "No WeChat handlers are registered: call builder.Services.AddWeChatHandlers() (generated into the assembly that declares "
                + "the handlers) before building the app. A test project that references the app calls the app's registration the same way.");
        }

        var missing = new List<string>();
        foreach (var list in services.GetServices<WeChatHandlerServices>())
        {
            foreach (var requirement in list.Requirements)
            {
                if (!isService.IsService(requirement.Service))
                {
                    missing.Add($"{requirement.Handler} needs {requirement.Service.FullName ?? requirement.Service.Name}");
                }
            }
        }

        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                "Services the WeChat handlers take are not registered: " + string.Join("; ", missing.Distinct(StringComparer.Ordinal))
                + ". Register them (builder.Services.Add…) before building the app, or make the parameter nullable if it is optional.");
        }
    }
}
