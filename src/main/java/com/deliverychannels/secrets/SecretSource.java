package com.deliverychannels.secrets;

/** Where a secret's value is read at run time (AWS Secrets Manager in AWS). */
public interface SecretSource {
    /**
     * The current value of the secret {@code id} (its ARN).
     *
     * @throws com.deliverychannels.core.MisconfiguredException when the secret does not exist or the function
     *                                                          may not read it
     * @throws com.deliverychannels.core.UnavailableException   when the service cannot answer now
     */
    String read(String id);
}
