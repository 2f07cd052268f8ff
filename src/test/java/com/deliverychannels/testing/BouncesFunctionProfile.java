package com.deliverychannels.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Exports the {@code bounces} function with one accepted topic, and lets signing certificates come from the
 * test's https server on loopback (AWS's own hosts are not reachable from tests).
 */
public class BouncesFunctionProfile implements QuarkusTestProfile {
    public static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-feedback";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.funqy.export", "bounces",
                "bounce.topic-arns", TOPIC,
                "sns.cert-url-pattern", SnsCertificateHost.URL_PATTERN);
    }
}
