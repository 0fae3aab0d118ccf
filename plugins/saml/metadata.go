package saml

import (
	"encoding/base64"
	"fmt"
	"time"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
)

// Metadata returns the SP metadata as the SPID rules want it: signing certificate, HTTP-POST
// assertion consumer at index 0, an AttributeConsumingService asking for fiscalNumber, name,
// familyName and email, the organisation, and a ContactPerson with the SPID extensions (IPA code,
// public administration), signed with the SP key (enveloped RSA-SHA256, exclusive c14n).
func (p *Provider) Metadata() ([]byte, error) {
	p.metaMutex.Lock()
	defer p.metaMutex.Unlock()
	if p.metadata != nil {
		return p.metadata, nil
	}
	s := p.settings
	or := func(k, def string) string {
		if v := s[k]; v != "" {
			return v
		}
		return def
	}
	ed := etree.NewElement("md:EntityDescriptor")
	ed.CreateAttr("xmlns:md", "urn:oasis:names:tc:SAML:2.0:metadata")
	ed.CreateAttr("xmlns:ds", "http://www.w3.org/2000/09/xmldsig#")
	ed.CreateAttr("xmlns:spid", "https://spid.gov.it/saml-extensions")
	ed.CreateAttr("entityID", p.entityID)
	ed.CreateAttr("ID", "_"+random())
	ed.CreateAttr("validUntil", time.Now().AddDate(0, 0, 30).UTC().Format(time.RFC3339))
	sso := ed.CreateElement("md:SPSSODescriptor")
	sso.CreateAttr("protocolSupportEnumeration", "urn:oasis:names:tc:SAML:2.0:protocol")
	sso.CreateAttr("AuthnRequestsSigned", "true")
	sso.CreateAttr("WantAssertionsSigned", "true")
	kd := sso.CreateElement("md:KeyDescriptor")
	kd.CreateAttr("use", "signing")
	kd.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").SetText(base64.StdEncoding.EncodeToString(p.cert.Raw))
	slo := sso.CreateElement("md:SingleLogoutService")
	slo.CreateAttr("Binding", crewjam.HTTPPostBinding)
	slo.CreateAttr("Location", p.metaURL.Scheme+"://"+p.metaURL.Host+"/esci")
	sso.CreateElement("md:NameIDFormat").SetText(string(crewjam.TransientNameIDFormat))
	acs := sso.CreateElement("md:AssertionConsumerService")
	acs.CreateAttr("index", "0")
	acs.CreateAttr("isDefault", "true")
	acs.CreateAttr("Binding", crewjam.HTTPPostBinding)
	acs.CreateAttr("Location", p.acsURL.String())
	attrs := sso.CreateElement("md:AttributeConsumingService")
	attrs.CreateAttr("index", "0")
	name := attrs.CreateElement("md:ServiceName")
	name.CreateAttr("xml:lang", "it")
	name.SetText(or("org_name", "PAsS"))
	for _, a := range requestedAttributes {
		ra := attrs.CreateElement("md:RequestedAttribute")
		ra.CreateAttr("Name", a)
		ra.CreateAttr("NameFormat", "urn:oasis:names:tc:SAML:2.0:attrname-format:basic")
		ra.CreateAttr("isRequired", "true")
	}
	org := ed.CreateElement("md:Organization")
	for _, el := range []string{"md:OrganizationName", "md:OrganizationDisplayName", "md:OrganizationURL"} {
		e := org.CreateElement(el)
		e.CreateAttr("xml:lang", "it")
		if el == "md:OrganizationURL" {
			e.SetText(or("org_url", p.metaURL.Scheme+"://"+p.metaURL.Host+"/"))
		} else {
			e.SetText(or("org_name", "PAsS – PNRR ASsistenza e Supporto"))
		}
	}
	cp := ed.CreateElement("md:ContactPerson")
	cp.CreateAttr("contactType", "other")
	ext := cp.CreateElement("md:Extensions")
	ext.CreateElement("spid:IPACode").SetText(or("contact_ipa_code", "r_lombar"))
	ext.CreateElement("spid:Public")
	cp.CreateElement("md:EmailAddress").SetText(or("contact_email", "pass@progettiancilombardia.it"))

	ctx, err := dsig.NewSigningContext(p.key, [][]byte{p.cert.Raw})
	if err != nil {
		return nil, err
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		return nil, err
	}
	signed, err := ctx.SignEnveloped(ed)
	if err != nil {
		return nil, fmt.Errorf("saml: sign metadata: %w", err)
	}
	// SAML's schema wants the signature as the first child of the signed element.
	children := signed.ChildElements()
	sig := children[len(children)-1].Copy()
	ordered := signed.Copy()
	ordered.RemoveChildAt(len(ordered.Child) - 1)
	ordered.InsertChildAt(0, sig)
	signed = ordered
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	doc.SetRoot(signed)
	out, err := doc.WriteToBytes()
	if err != nil {
		return nil, err
	}
	p.metadata = out
	return out, nil
}
