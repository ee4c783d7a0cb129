namespace WeChatHandlers.Generators;

/// <summary>A handler class registered by the generated <c>AddWeChatHandlers</c>.</summary>
internal sealed record ServiceSpec(string Type, EquatableArray<ParameterSpec> ConstructorParameters);

/// <summary>A service a handler needs (a method or constructor parameter that is not optional), checked at start.</summary>
internal sealed record RequirementSpec(string Handler, string ServiceType);

/// <summary>
/// What the generated <c>AddWeChatHandlers</c> registers: the handler classes and what their handlers need, and the
/// public registration another assembly calls by name. Decided by <see cref="RegistrationBuilder"/>.
/// </summary>
/// <param name="HasHandlers">False for an assembly without handlers (a test project): its registration refuses to be called.</param>
/// <param name="AssemblyName">The assembly's name, as the public registration's documentation names it.</param>
/// <param name="PublicMethodName">The public registration method, <c>Add{AssemblyName}Handlers</c>.</param>
/// <param name="PublicClassName">The public static class that holds it.</param>
internal sealed record RegistrationSpec(
    bool HasHandlers,
    EquatableArray<ServiceSpec> Services,
    EquatableArray<RequirementSpec> Requirements,
    string AssemblyName,
    string PublicMethodName,
    string PublicClassName);
