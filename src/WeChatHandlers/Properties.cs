// Scratch buffers on the hot path are stackalloc'ed and always written before they are read: skip zeroing them.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
