using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using WeChatHandlers.Generators;

namespace WeChatHandlers.Generators.Tests;

/// <summary>Registering an app's handlers from another assembly (its tests) by name, and never an empty dispatcher.</summary>
public sealed class RegistrationTests
{
    private const string App = TestCompilation.Usings + """
        namespace Contoso.Support;
        public static class SupportHandlers
        {
            [OnText] public static void Any(TextMessage m) { }
        }
        """;

    private static Compilation Generated(string assemblyName, string source, params MetadataReference[] references)
    {
        var compilation = TestCompilation.Create(source).WithAssemblyName(assemblyName).AddReferences(references);
        return TestCompilation.Generate(compilation).Output;
    }

    [Theory]
    [InlineData("Contoso.Support", "AddContosoSupportHandlers")]
    [InlineData("my-app_2", "Addmyapp_2Handlers")]
    public void The_registration_is_named_after_the_assembly(string assemblyName, string expected) =>
        Assert.Equal(expected, RegistrationBuilder.RegistrationName(assemblyName));

    [Fact]
    public void A_test_project_registers_the_apps_handlers_by_name_without_InternalsVisibleTo()
    {
        var app = Generated("Contoso.Support", App);
        TestCompilation.AssertClean(app);

        var tests = Generated("Contoso.Support.Tests", TestCompilation.Usings + """
            using Microsoft.Extensions.DependencyInjection;
            public static class Setup
            {
                public static IServiceCollection Register(IServiceCollection services) => services.AddContosoSupportHandlers();
            }
            """, app.ToMetadataReference());
        TestCompilation.AssertClean(tests);
    }

    [Fact]
    public void An_assembly_without_handlers_cannot_register_an_empty_dispatcher_by_mistake()
    {
        var app = Generated("Contoso.Support", App);
        var tests = Generated("Contoso.Support.Tests", TestCompilation.Usings + """
            using Microsoft.Extensions.DependencyInjection;
            public static class Setup
            {
                public static IServiceCollection Register(IServiceCollection services) => services.AddWeChatHandlers();
            }
            """, app.ToMetadataReference());

        var error = Assert.Single(tests.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("CS0619", error.Id);
        Assert.Contains("declares no WeChat handlers", error.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("Add{AssemblyName}Handlers()", error.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }
}
