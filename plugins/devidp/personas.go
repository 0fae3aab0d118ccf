package devidp

import "passhub/app/auth"

// Persona is a test identity the dev identity provider offers.
type Persona struct {
	Key         string
	FiscalCode  string // 16 characters, valid check character
	Name        string
	FamilyName  string
	Email       string
	Description string // Italian, shown on the personas page
}

func code(first15 string) string { return first15 + string(auth.CheckChar(first15)) }

// Personas are the people of the dev identity provider; demo data bind them to enti and roles.
var Personas = []Persona{
	{"sindaco-nuovo", code("VRDGPP65C12C933"), "Giuseppe", "Verdi", "sindaco@comune.como.example.it", "Sindaco di un Comune non ancora registrato (primo accesso)"},
	{"sindaco-registrato", code("RSSMRA70A01C933"), "Mario", "Rossi", "sindaco@comune.cantu.example.it", "Sindaco del Comune di Cantù, già registrato"},
	{"delegato", code("BNCLRA80A41B639"), "Laura", "Bianchi", "laura.bianchi@comune.cantu.example.it", "Delegata del Comune di Cantù"},
	{"delegato-altro-ente", code("NRIPLA85C10F205"), "Paolo", "Neri", "paolo.neri@comune.milano.example.it", "Delegato del Comune di Milano (un altro ente)"},
	{"presidente-provincia", code("GLLFRC62D15E507"), "Franca", "Galli", "presidente@provincia.lecco.example.it", "Presidente della Provincia di Lecco (non ancora registrata)"},
	{"funzionario-provincia", code("SLVMRT77C45C933"), "Marta", "Salvi", "marta.salvi@provincia.como.example.it", "Funzionaria del Centro di Competenza della Provincia di Como: i comuni seguiti (CRM)"},
	{"pm", code("MNZPRI75E50F205"), "Piera", "Manzoni", "piera.manzoni@pass.example.it", "Project Manager della Task Force Valutazioni Ambientali"},
	{"esperto", code("CSTLCU78H10F205"), "Luca", "Costa", "luca.costa@pass.example.it", "Esperto della Task Force Valutazioni Ambientali"},
	{"esperto-2", code("FRRSRA82M55F205"), "Sara", "Ferrari", "sara.ferrari@pass.example.it", "Esperta della Task Force Bonifiche"},
	{"redattore", code("RMNGNN69L20F205"), "Giovanni", "Romano", "redazione@pass.example.it", "Redattore dei contenuti pubblici"},
	{"caporedattore", code("BRNLRA66S45F205"), "Laura", "Bruni", "caporedazione@pass.example.it", "Caporedattrice dei contenuti pubblici"},
	{"operatore", code("GRCLSE79B50F205"), "Elisa", "Greco", "elisa.greco@pass.example.it", "Operatrice dell'help desk: la coda dei ticket di assistenza"},
	{"admin", code("CLMNNA71P60F205"), "Anna", "Colombo", "admin@pass.example.it", "Amministratrice della piattaforma"},
}
