package com.deliverychannels.channel;

import java.time.Instant;

/** A sending identity: the name and address a message shows in From on MSC and SMTP. */
public record Identity(String id, String name, String address, Instant createdAt) {
}
