using System;
using System.Linq;
using System.Text;

namespace WeChatHandlers.Generators;

/// <summary>Decides what the generated <c>AddWeChatHandlers</c> registers, from every handler's routes and the assembly's name.</summary>
internal static class RegistrationBuilder
{
    public static RegistrationSpec Build(EquatableArray<RouteSpec> routes, string assemblyName)
    {
        string publicMethod = RegistrationName(assemblyName);
        return new RegistrationSpec(
            routes.Count > 0,
            routes.Where(r => !r.Method.IsStatic)
                .Select(r => new ServiceSpec(r.Method.ContainingType, r.Method.ConstructorParameters))
                .Distinct()
                .OrderBy(s => s.Type, StringComparer.Ordinal)
                .ToEquatableArray(),
            routes.SelectMany(r => r.Method.Parameters.Concat(r.Method.ConstructorParameters)
                    .Where(p => p.Kind == ParameterKind.RequiredService)
                    .Select(p => new RequirementSpec(r.Method.HandlerName, p.Type)))
                .Distinct()
                .OrderBy(q => q.Handler, StringComparer.Ordinal)
                .ThenBy(q => q.ServiceType, StringComparer.Ordinal)
                .ToEquatableArray(),
            assemblyName,
            publicMethod,
            $"WeChat{publicMethod.Substring(3)}Registration");
    }

    /// <summary><c>Add{AssemblyName}Handlers</c>, with the name reduced to identifier characters (<c>My.App</c> → <c>AddMyAppHandlers</c>).</summary>
    internal static string RegistrationName(string assemblyName)
    {
        var name = new StringBuilder("Add");
        foreach (char c in assemblyName)
        {
            if (char.IsLetterOrDigit(c) || c == '_')
            {
                name.Append(c);
            }
        }

        return name.Append("Handlers").ToString();
    }
}
