// Verify a spec-notify webhook (Standard Webhooks, HMAC-SHA256) with the Go standard library only.
//
// In a receiver: call Verify with the raw request body (read it fully before decoding JSON) and the three
// webhook-* headers; answer 401 when it returns false. Deduplicate on webhook-id (retries reuse it).
// As a program:
//
//	WEBHOOK_SECRET='whsec_...' go run verify_webhook.go ID TIMESTAMP SIGNATURE BODY_FILE
//
// WEBHOOK_SECRET may hold several secrets separated by spaces (rotation): any one of them may match.
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

const toleranceSeconds = 300 // reject timestamps more than 5 minutes away from now (replay protection)

func Verify(secrets []string, msgID, timestamp, signatureHeader string, body []byte, now time.Time) bool {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || ts < 0 || now.Unix()-ts > toleranceSeconds || ts-now.Unix() > toleranceSeconds {
		return false
	}
	for _, secret := range secrets {
		b64 := strings.TrimRight(strings.TrimPrefix(secret, "whsec_"), "=")
		key, err := base64.RawStdEncoding.DecodeString(b64)
		if err != nil {
			continue
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(msgID + "." + timestamp + "."))
		mac.Write(body)
		expected := []byte("v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)))
		for _, candidate := range strings.Fields(signatureHeader) {
			if hmac.Equal([]byte(candidate), expected) {
				return true
			}
		}
	}
	return false
}

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: verify_webhook ID TIMESTAMP SIGNATURE BODY_FILE")
		os.Exit(2)
	}
	body, err := os.ReadFile(os.Args[4])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	secrets := strings.Fields(os.Getenv("WEBHOOK_SECRET"))
	if Verify(secrets, os.Args[1], os.Args[2], os.Args[3], body, time.Now()) {
		fmt.Println("verified")
		return
	}
	fmt.Println("rejected")
	os.Exit(1)
}
