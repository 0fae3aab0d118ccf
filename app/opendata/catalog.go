package opendata

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Vocabularies of the catalogue.
const (
	nsEU        = "http://publications.europa.eu/resource/authority/"
	ThemeGOVE   = nsEU + "data-theme/GOVE"
	Frequency   = nsEU + "frequency/UPDATE_CONT" // updated with every change of a request
	LanguageITA = nsEU + "language/ITA"
	LanguageENG = nsEU + "language/ENG"
)

// catalogContext names the vocabularies of the JSON-LD catalogue (DCAT-AP_IT).
var catalogContext = map[string]string{
	"dcat":     "http://www.w3.org/ns/dcat#",
	"dct":      "http://purl.org/dc/terms/",
	"dcatapit": "http://dati.gov.it/onto/dcatapit#",
	"foaf":     "http://xmlns.com/foaf/0.1/",
	"vcard":    "http://www.w3.org/2006/vcard/ns#",
	"xsd":      "http://www.w3.org/2001/XMLSchema#",
}

type obj = map[string]any

func ref(iri string) obj { return obj{"@id": iri} }

func date(t time.Time) obj { return obj{"@value": isoDate(t), "@type": "xsd:date"} }

// texts is a text in Italian and English.
func (h *Handlers) texts(id string) []obj {
	return []obj{{"@value": h.web.I18n.T("it", id), "@language": "it"}, {"@value": h.web.I18n.T("en", id), "@language": "en"}}
}

// Catalog builds the DCAT-AP_IT catalogue of the datasets, modified at modified.
func (h *Handlers) Catalog(modified time.Time) obj {
	if modified.IsZero() {
		modified = time.Now()
	}
	base := h.base
	publisher := obj{"@id": base + "/dati#titolare", "@type": []string{"dcatapit:Agent", "foaf:Agent"},
		"foaf:name": h.publisher.Name, "dct:identifier": h.publisher.IPA}
	contact := obj{"@id": base + "/dati#contatto", "@type": []string{"dcatapit:Organization", "vcard:Organization"},
		"vcard:fn": h.publisher.Name + " – PAsS"}
	if h.publisher.Contact != "" {
		contact["vcard:hasEmail"] = ref("mailto:" + h.publisher.Contact)
	} else {
		contact["vcard:hasURL"] = ref(base + "/contatti")
	}
	license := obj{"@id": License, "@type": []string{"dcatapit:LicenseDocument", "dct:LicenseDocument"},
		"dct:type": ref("http://purl.org/adms/licencetype/Attribution"), "foaf:name": LicenseName, "owl:versionInfo": "4.0"}
	var datasets []obj
	for _, ds := range Datasets {
		id := base + "/dati/dataset/" + ds.Name
		var dists []obj
		for _, f := range []struct{ ext, format, media string }{{"csv", "CSV", "text/csv"}, {"json", "JSON", "application/json"}} {
			url := base + "/dati/" + ds.Name + "." + f.ext
			dists = append(dists, obj{"@id": id + "#" + f.ext, "@type": []string{"dcatapit:Distribution", "dcat:Distribution"},
				"dct:title":      []obj{{"@value": h.web.I18n.T("it", "dati.ds."+ds.Name+".title") + " (" + f.format + ")", "@language": "it"}},
				"dcat:accessURL": ref(url), "dcat:downloadURL": ref(url),
				"dct:format": ref(nsEU + "file-type/" + f.format), "dcat:mediaType": f.media,
				"dct:license": license, "dct:modified": date(modified)})
		}
		keywords := []obj{}
		for _, k := range []string{"PNRR", "PAsS", "enti locali", "assistenza tecnica", "task force", "procedure amministrative"} {
			keywords = append(keywords, obj{"@value": k, "@language": "it"})
		}
		datasets = append(datasets, obj{"@id": id, "@type": []string{"dcatapit:Dataset", "dcat:Dataset"},
			"dct:identifier":         h.publisher.IPA + ":pass-" + ds.Name,
			"dct:title":              h.texts("dati.ds." + ds.Name + ".title"),
			"dct:description":        h.texts("dati.ds." + ds.Name + ".desc"),
			"dcat:theme":             ref(ThemeGOVE),
			"dct:accrualPeriodicity": ref(Frequency),
			"dct:modified":           date(modified),
			"dct:language":           ref(LanguageITA),
			"dct:publisher":          ref(publisher["@id"].(string)),
			"dct:rightsHolder":       publisher,
			"dcat:contactPoint":      contact,
			"dcat:keyword":           keywords,
			"dcat:landingPage":       ref(id),
			"dcat:distribution":      dists,
		})
	}
	ctx := obj{}
	for k, v := range catalogContext {
		ctx[k] = v
	}
	ctx["owl"] = "http://www.w3.org/2002/07/owl#"
	return obj{
		"@context":  ctx,
		"@id":       base + "/dati/catalogo.jsonld",
		"@type":     []string{"dcatapit:Catalog", "dcat:Catalog"},
		"dct:title": h.texts("dati.catalog.title"), "dct:description": h.texts("dati.catalog.desc"),
		"dct:publisher":      publisher,
		"dct:modified":       date(modified),
		"dct:language":       []obj{ref(LanguageITA), ref(LanguageENG)},
		"foaf:homepage":      ref(base + "/dati"),
		"dcat:themeTaxonomy": ref(nsEU + "data-theme"),
		"dcat:dataset":       datasets,
	}
}

// catalog serves the DCAT-AP_IT catalogue as JSON-LD.
func (h *Handlers) catalog(c *fiber.Ctx) error {
	tfs, _, err := h.src.catalogueOf(c.UserContext())
	if err != nil {
		return err
	}
	modified, err := h.src.Modified(c.UserContext(), tfs)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	if h.licenseHeaders(c, modified) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	body, err := json.MarshalIndent(h.Catalog(modified), "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/ld+json; charset=utf-8")
	return c.Send(body)
}
