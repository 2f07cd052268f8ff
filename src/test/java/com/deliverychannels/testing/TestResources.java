package com.deliverychannels.testing;

import io.quarkus.test.common.QuarkusTestResource;

/** Declares the resources every {@code @QuarkusTest} shares (Quarkus finds this annotation on any test class). */
@QuarkusTestResource(DynamoDbLocalResource.class)
@QuarkusTestResource(MscRelayResource.class)
public final class TestResources {
    private TestResources() {
    }
}
