namespace WeChatHandlers.Generators;

/// <summary>Names of the pipeline steps, so tests can find them in the driver's run result.</summary>
internal static class TrackingNames
{
    public const string TextHandlers = nameof(TextHandlers);
    public const string ImageHandlers = nameof(ImageHandlers);
    public const string MiniProgramPageHandlers = nameof(MiniProgramPageHandlers);
    public const string EventHandlers = nameof(EventHandlers);
    public const string MessageHandlers = nameof(MessageHandlers);
    public const string UnhandledHandlers = nameof(UnhandledHandlers);
    public const string AllRoutes = nameof(AllRoutes);
    public const string DispatchTable = nameof(DispatchTable);
    public const string ServiceRegistrations = nameof(ServiceRegistrations);
    public const string Payloads = nameof(Payloads);
    public const string SortedPayloads = nameof(SortedPayloads);

    /// <summary>The FAWMN steps, one per attribute; an edit that keeps the model equal shows here as Unchanged.</summary>
    public static readonly string[] Extraction =
    {
        TextHandlers, ImageHandlers, MiniProgramPageHandlers, EventHandlers, MessageHandlers, UnhandledHandlers, Payloads,
    };

    public static readonly string[] All =
    {
        TextHandlers, ImageHandlers, MiniProgramPageHandlers, EventHandlers, MessageHandlers, UnhandledHandlers, Payloads,
        AllRoutes, DispatchTable, ServiceRegistrations, SortedPayloads,
    };
}
