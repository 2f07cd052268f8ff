package com.deliverychannels.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The DynamoDB table ({@code DELIVERY_TABLE}). */
@ConfigMapping(prefix = "delivery")
public interface TableConfig {
    /** Name of the one table every function shares. */
    @WithDefault("delivery-channels")
    String table();
}
