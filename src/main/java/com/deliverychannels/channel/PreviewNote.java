package com.deliverychannels.channel;

import java.util.List;

/** One sentence of the preview, named by its text key (localized by the caller's language) and values. */
public record PreviewNote(String key, List<Object> args) {
    public static PreviewNote of(String key, Object... args) {
        return new PreviewNote(key, List.of(args));
    }
}
