package com.deliverychannels.secrets;

import com.deliverychannels.aws.AwsFaults;
import com.deliverychannels.aws.FailedCallLog;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * AWS Secrets Manager's {@code GetSecretValue}, with the function's role. The client is built the way Lambda
 * expects: the region from {@code AWS_REGION}, the role's credentials from the environment Lambda sets, and the
 * endpoint the SDK's standard {@code AWS_ENDPOINT_URL_SECRETS_MANAGER} names, if any (tests point it at a
 * stand-in). Built on first use only: a function configured without any {@code ..._SECRET_ARN} never makes one.
 */
final class SecretsManagerSource implements SecretSource, AutoCloseable {
    private final FailedCallLog failedCalls;
    private volatile SecretsManagerClient client;

    SecretsManagerSource(FailedCallLog failedCalls) {
        this.failedCalls = failedCalls;
    }

    @Override
    public String read(String id) {
        try {
            String value = client().getSecretValue(b -> b.secretId(id)).secretString();
            if (value == null) {
                // A binary secret: ours are strings (a key ring, a client secret).
                throw new IllegalStateException("the secret " + id + " holds no string");
            }
            return value;
        } catch (SdkException e) {
            throw AwsFaults.classify(e, "secretsmanager", "problem.secrets.unavailable");
        }
    }

    private SecretsManagerClient client() {
        if (client == null) {
            synchronized (this) {
                if (client == null) {
                    client = SecretsManagerClient.builder()
                            .httpClient(UrlConnectionHttpClient.create())
                            .overrideConfiguration(o -> o.addExecutionInterceptor(failedCalls))
                            .build();
                }
            }
        }
        return client;
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }
}
