package com.deliverychannels.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Exports the {@code retry} function, as its Lambda's {@code QUARKUS_FUNQY_EXPORT} does, with a sweep that sends
 * fewer deliveries at once than the default, so the tests also cover a sweep whose work outnumbers its workers.
 */
public class RetryFunctionProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.funqy.export", "retry", "retry.sweep-concurrency", "4",
                "msc.configuration-set", "delivery-channels-test");
    }
}
