package signin

import (
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/rules"
)

// packFiles returns the pack's rule files and test-case files by name.
func packFiles(t *testing.T) (ruleFiles, testFiles []string) {
	t.Helper()
	entries, err := fs.ReadDir(FS(), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch name := e.Name(); {
		case strings.HasSuffix(name, ".tests.yml"):
			testFiles = append(testFiles, name)
		case strings.HasSuffix(name, ".yml"):
			ruleFiles = append(ruleFiles, name)
		default:
			t.Errorf("unexpected file %s in the pack", name)
		}
	}
	return ruleFiles, testFiles
}

// Every rule file ships with test cases, and every test-case file belongs to a rule file.
func TestEveryRuleHasTests(t *testing.T) {
	ruleFiles, testFiles := packFiles(t)
	if len(ruleFiles) != 14 {
		t.Errorf("%d rule files, want 14: %v", len(ruleFiles), ruleFiles)
	}
	var want []string
	for _, r := range ruleFiles {
		want = append(want, strings.TrimSuffix(r, ".yml")+".tests.yml")
	}
	sort.Strings(want)
	if strings.Join(want, " ") != strings.Join(testFiles, " ") {
		t.Errorf("test-case files\n got %v\nwant %v", testFiles, want)
	}
}

func loadPack(t *testing.T) []*rules.File {
	t.Helper()
	ruleFiles, _ := packFiles(t)
	var files []*rules.File
	for _, name := range ruleFiles {
		data, err := fs.ReadFile(FS(), name)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, rules.LoadFile("rules/signin/"+name, data))
	}
	rules.Resolve(files)
	return files
}

// The pack loads without a single diagnostic, warnings included.
func TestPackLoadsClean(t *testing.T) {
	for _, f := range loadPack(t) {
		for _, d := range f.Diags {
			t.Error(d.Error())
		}
		for _, doc := range f.Docs {
			for _, d := range doc.Diags {
				t.Error(d.Error())
			}
		}
	}
}

// Metadata is complete and in SigmaHQ's style: random (version 4) UUIDs, unique; the pack's author
// and date; lowercase ATT&CK tags with at least one tactic and one technique; references to
// Microsoft or MITRE; false positives and a level.
func TestPackMetadata(t *testing.T) {
	uuid4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	technique := regexp.MustCompile(`^attack\.t[0-9]{4}(\.[0-9]{3})?$`)
	tactics := map[string]bool{
		"attack.reconnaissance": true, "attack.resource-development": true, "attack.initial-access": true,
		"attack.execution": true, "attack.persistence": true, "attack.privilege-escalation": true,
		"attack.stealth": true, "attack.defense-impairment": true, "attack.credential-access": true,
		"attack.discovery": true, "attack.lateral-movement": true, "attack.collection": true,
		"attack.command-and-control": true, "attack.exfiltration": true, "attack.impact": true,
	}
	levels := map[string]bool{"informational": true, "low": true, "medium": true, "high": true, "critical": true}
	ids := map[string]string{}
	names := map[string]string{}
	for _, f := range loadPack(t) {
		for _, d := range f.Docs {
			at := f.Path + ": " + d.Meta.Title
			m := d.Meta
			if !uuid4.MatchString(m.ID) {
				t.Errorf("%s: id %q is not a lowercase UUID v4", at, m.ID)
			}
			if prev, dup := ids[m.ID]; dup {
				t.Errorf("%s: id %s also used by %s", at, m.ID, prev)
			}
			ids[m.ID] = at
			if m.Name != "" {
				if prev, dup := names[m.Name]; dup {
					t.Errorf("%s: name %s also used by %s", at, m.Name, prev)
				}
				names[m.Name] = at
			}
			if m.Title == "" || len(m.Title) > 110 {
				t.Errorf("%s: title must be set and short", at)
			}
			if m.Status != "test" || m.Author != "entrasig" || m.Date != "2026-11-27" {
				t.Errorf("%s: status %q author %q date %q, want test, entrasig, 2026-11-27", at, m.Status, m.Author, m.Date)
			}
			if len(m.Description) < 40 {
				t.Errorf("%s: the description must say why the detection matters", at)
			}
			if len(m.References) == 0 {
				t.Errorf("%s: no references", at)
			}
			for _, r := range m.References {
				if !strings.HasPrefix(r, "https://learn.microsoft.com/") && !strings.HasPrefix(r, "https://attack.mitre.org/techniques/") {
					t.Errorf("%s: reference %s is neither Microsoft Learn nor MITRE ATT&CK", at, r)
				}
			}
			var nTactic, nTechnique int
			for _, tag := range m.Tags {
				switch {
				case tactics[tag]:
					nTactic++
				case technique.MatchString(tag):
					nTechnique++
				default:
					t.Errorf("%s: tag %q is not an ATT&CK tactic or technique in SigmaHQ's form", at, tag)
				}
			}
			if nTactic == 0 || nTechnique == 0 {
				t.Errorf("%s: tags %v need a tactic and a technique", at, m.Tags)
			}
			if len(m.FalsePositives) == 0 || !levels[m.Level] {
				t.Errorf("%s: falsepositives %v and level %q must be set", at, m.FalsePositives, m.Level)
			}
		}
	}
	if len(ids) != 23 {
		t.Errorf("%d documents, want 23", len(ids))
	}
}

// What a correlation builds on is not emitted on its own (generate stays false): single failed
// sign-ins are noise, and the MFA burst is reported through the fatigue correlation.
func TestBaseRulesNotGenerated(t *testing.T) {
	files := loadPack(t)
	var outputs []string
	for _, d := range rules.Outputs(files) {
		outputs = append(outputs, d.Meta.Name+"|"+d.Meta.Title)
	}
	want := []string{
		"|User Asked for Admin Consent to an Application",
		"|Application Id Probing From One IP Address",
		"|Brute Force Against One Account",
		"|Conditional Access Blocks One Account Across Many Apps",
		"|Cross-Tenant Sign-In",
		"|Sign-In Attempt to a Disabled Account",
		"|Successful Sign-In With a Legacy Authentication Client",
		"|Account Lockout After Password Failures",
		"|MFA Fatigue Followed by a Successful Sign-In",
		"|Password Spray From One IP Address",
		"|High-Risk Sign-In That Succeeded",
		"|Service Principal Presented an Invalidated Session Token",
		"|Token Issued to a Managed Identity Not on the Allow-List",
		"|Admin Portal or Tool Reached From an Unmanaged or Non-Compliant Device",
	}
	if strings.Join(outputs, "\n") != strings.Join(want, "\n") {
		t.Errorf("outputs:\n%s\nwant:\n%s", strings.Join(outputs, "\n"), strings.Join(want, "\n"))
	}
}
