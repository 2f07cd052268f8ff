package com.deliverychannels.channel;

/** A user's channel settings with the preview of what they mean for the next message. */
public record ChannelView(ChannelSettings settings, Preview preview) {
}
