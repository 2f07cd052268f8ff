package com.deliverychannels.config;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** Which SNS topics the {@code bounces} function accepts ({@code BOUNCE_TOPIC_ARNS}). */
@ConfigMapping(prefix = "bounce")
public interface BounceConfig {
    /** The accepted topic ARNs, comma-separated; a message from any other topic is refused. */
    Optional<List<String>> topicArns();
}
