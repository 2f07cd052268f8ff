package com.deliverychannels.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Exports the {@code send} function, as its Lambda's {@code QUARKUS_FUNQY_EXPORT} does. */
public class SendFunctionProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.funqy.export", "send", "msc.configuration-set", "delivery-channels-test");
    }
}
