using CustomerService;

bool demo = args.Contains("--demo");
if (demo)
{
    return await Demo.RunAsync(args.Where(a => a != "--demo").ToArray());
}

var app = SupportService.Build(args);
await app.RunAsync();
return 0;
