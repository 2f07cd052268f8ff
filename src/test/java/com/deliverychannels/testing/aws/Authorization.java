package com.deliverychannels.testing.aws;

/**
 * One authorization a stand-in made for a call it received: the API operation ({@code BatchGetItem}), the IAM
 * action it needed ({@code dynamodb:BatchGetItem}), the resource ARN it needed it on, and IAM's decision.
 */
public record Authorization(String operation, String action, String resource, IamPolicy.Decision decision) {
    public boolean allowed() {
        return decision.allowed();
    }
}
