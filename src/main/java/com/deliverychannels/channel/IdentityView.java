package com.deliverychannels.channel;

/** An identity as the user sees it, with whether it is the default one. */
public record IdentityView(Identity identity, boolean isDefault) {
}
