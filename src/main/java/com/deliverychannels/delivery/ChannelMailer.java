package com.deliverychannels.delivery;

import com.deliverychannels.channel.ChannelSettings;
import com.deliverychannels.channel.ChannelType;

/** Hands a message to the server of a channel: our relay, the user's Gmail, or the user's own server. */
public interface ChannelMailer {

    /**
     * One attempt, on {@code channel} as {@code settings} configure it now. Never throws for a failure of
     * the attempt: every failure is an outcome with its kind.
     */
    SendOutcome send(String userId, ChannelType channel, ChannelSettings settings, OutgoingMessage message);
}
