"""Idea families (issue 18, item 2): a section maps onto the family of its own science first."""

import pytest

from content.writers.families import family_for


@pytest.mark.parametrize(("title", "key_terms", "subject", "family"), [
    # words shared across the sciences must not carry a section into another science's family
    ("Galvanic Cells", ["galvanic cell", "anode", "cathode", "salt bridge"], "chemistry", "reactions"),
    ("The Light-Dependent Reactions of Photosynthesis", ["photosystem", "chlorophyll", "reaction center"],
     "biology", "cell_energy"),
    ("Intermolecular Forces", ["dipole-dipole attraction", "hydrogen bonding", "dispersion force"], "chemistry",
     "matter_bonding"),
    ("Hearing and Vestibular Sensation", ["cochlea", "hair cell", "vestibular sense"], "biology", "body_systems"),
    # and a section of its own science's vocabulary keeps its family
    ("Refraction", ["refraction", "index of refraction", "speed of light"], "physics", "light_optics"),
    ("Newton's Second Law of Motion", ["net force", "acceleration", "mass"], "physics", "forces_motion"),
    # one broad word repeated in the key terms is not more evidence than the title's own idea
    ("Adaptive Immune Response", ["antigen", "antigen-presenting cell", "dendritic cells", "plasma cell",
                                  "effector cells", "memory cell", "regulatory T cells", "immune tolerance"],
     "biology", "body_systems"),
])
def test_a_section_maps_onto_a_family_of_its_own_science(title, key_terms, subject, family):
    assert family_for(title, key_terms, subject=subject) == family


def test_the_students_question_picks_among_the_ideas_a_section_teaches():
    water = ("Water", ["oxygen", "hydrophilic", "hydrophobic", "specific heat capacity", "calorie",
                       "heat of vaporization", "evaporation", "solvent", "sphere of hydration", "dissociation",
                       "cohesion", "surface tension", "adhesion", "capillary action", "litmus", "acid", "base",
                       "pH scale", "buffers"])
    beach = "Why does the sand at the beach get burning hot while the ocean water stays cool?"
    # the section alone reads as another of its ideas; asked about heating, the scenario pictures heat
    assert family_for(*water, subject="biology") != "heat_thermo"
    assert family_for(*water, subject="biology", question=beach) == "heat_thermo"
    # a question that fits the section's idea leaves its family alone
    assert family_for("Refraction", ["refraction", "index of refraction"], subject="physics",
                      question="Why does a spoon look bent when it sits in a glass of water?") == "light_optics"
