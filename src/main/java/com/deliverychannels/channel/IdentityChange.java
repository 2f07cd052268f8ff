package com.deliverychannels.channel;

/**
 * An identity as a user sends it; every field unchecked.
 *
 * @param makeDefault true to make it the default; null leaves the default as it is
 */
public record IdentityChange(String name, String address, Boolean makeDefault) {
}
