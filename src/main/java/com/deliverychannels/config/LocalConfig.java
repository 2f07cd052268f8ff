package com.deliverychannels.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Dev mode only: the local stand-ins for API Gateway and DynamoDB ({@code LOCAL_*}). */
@ConfigMapping(prefix = "local")
public interface LocalConfig {
    /** Port of the local HTTP front that plays API Gateway. */
    @WithDefault("8080")
    int httpPort();

    /** Port of the embedded DynamoDB Local. */
    @WithDefault("8000")
    int dynamodbPort();
}
