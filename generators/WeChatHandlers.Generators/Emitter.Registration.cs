using System.Linq;

namespace WeChatHandlers.Generators;

internal static partial class Emitter
{
    private const string ServiceCollection = "global::Microsoft.Extensions.DependencyInjection.IServiceCollection";
    private const string ServiceDescriptor = "global::Microsoft.Extensions.DependencyInjection.ServiceDescriptor";
    private const string ServiceCollectionExtensions = "global::Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions";
    private const string TryAdd = "global::Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAdd";

    /// <summary>The internal <c>AddWeChatHandlers</c> and, when the assembly has handlers, the public one named after it.</summary>
    public static string EmitServices(RegistrationSpec registration)
    {
        var w = new SourceWriter();
        w.Line(Header);
        w.Open("namespace Microsoft.Extensions.DependencyInjection");
        w.Block($"""
            /// <summary>Registers this assembly's WeChat handlers. Generated; internal so that every assembly gets its own.</summary>
            {s_generatedCode}
            [global::System.Diagnostics.DebuggerNonUserCodeAttribute]
            [global::System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverageAttribute]
            """);
        w.Open($"internal static class {ServicesName}");
        w.Block("""
            /// <summary>
            /// Registers this assembly's handler classes as scoped services with generated factories, and the generated
            /// <see cref="global::WeChatHandlers.IWeChatDispatcher"/> as a singleton. Registrations made before this call win.
            /// A factory calls the class's only public constructor or, when there are several, the one with the most parameters,
            /// resolving each argument from the provider (nullable reference parameters may be missing).
            /// </summary>
            /// <param name="services">The service collection.</param>
            /// <returns>The same service collection.</returns>
            """);
        if (!registration.HasHandlers)
        {
            // An empty dispatcher is never what a caller wants: most likely a test project meant the app's handlers.
            w.Line($"[global::System.ObsoleteAttribute(\"This assembly declares no WeChat handlers, so this would register an empty dispatcher. To register another assembly's handlers (the app's, from its tests), call its generated Add{{AssemblyName}}Handlers(), e.g. services.{RegistrationBuilder.RegistrationName("MyApp")}().\", true)]");
        }

        w.Open($"public static {ServiceCollection} AddWeChatHandlers(this {ServiceCollection} services)");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(services);");
        foreach (var service in registration.Services)
        {
            string arguments = string.Join(", ", service.ConstructorParameters.Select(p => Resolve(p, "sp")));
            w.Line($"{TryAdd}(services, {ServiceDescriptor}.Scoped<{service.Type}>(static sp => new {service.Type}({arguments})));");
        }

        w.Line($"{TryAdd}(services, {ServiceDescriptor}.Singleton<global::WeChatHandlers.IWeChatDispatcher>(static sp => new global::{DispatcherNamespace}.{DispatcherName}()));");
        if (registration.Requirements.Count > 0)
        {
            // What the handlers take from DI, so that the app's start names a missing registration (WeChatHandlerServices).
            w.Open($"{ServiceCollectionExtensions}.AddSingleton(services, new global::WeChatHandlers.WeChatHandlerServices(new global::WeChatHandlers.WeChatHandlerRequirement[]");
            foreach (var requirement in registration.Requirements)
            {
                w.Line($"new(\"{requirement.Handler}\", typeof({requirement.ServiceType})),");
            }

            w.Close("}));");
        }

        w.Line("return services;");
        w.Close();
        w.Close();
        if (registration.HasHandlers)
        {
            string assembly = XmlEscape(registration.AssemblyName);
            w.Block($"""

                /// <summary>Registers the WeChat handlers of {assembly} from any assembly that references it (its tests). Generated.</summary>
                {s_generatedCode}
                [global::System.Diagnostics.DebuggerNonUserCodeAttribute]
                [global::System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverageAttribute]
                """);
            w.Open($"public static class {registration.PublicClassName}");
            w.Block($"""
                /// <summary>Registers the WeChat handlers of {assembly}: the same as its own <c>AddWeChatHandlers()</c>.</summary>
                /// <param name="services">The service collection.</param>
                /// <returns>The same service collection.</returns>
                public static {ServiceCollection} {registration.PublicMethodName}(this {ServiceCollection} services) => {ServicesName}.AddWeChatHandlers(services);
                """);
            w.Close();
        }

        w.Close();
        return w.ToString();
    }

    private static string XmlEscape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
