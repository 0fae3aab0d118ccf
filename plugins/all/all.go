// Package all links every plugin into the program; each registers itself with its port.
package all

import (
	_ "passhub/plugins/bleve"       // search engine "bleve" (embedded default)
	_ "passhub/plugins/devidp"      // identity provider "devidp" (dev mode and tests only)
	_ "passhub/plugins/localfs"     // storage "local"
	_ "passhub/plugins/meilisearch" // search engine "meilisearch"
	_ "passhub/plugins/oidc"        // identity provider "oidc"
	_ "passhub/plugins/s3"          // storage "s3"
	_ "passhub/plugins/saml"        // identity provider "saml": SPID, CIE, CNS
	_ "passhub/plugins/smtp"        // mail sender "smtp"
)
