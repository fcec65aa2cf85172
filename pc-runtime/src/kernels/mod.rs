//! Every operation of the language and its vector-Jacobian products, generic over the scalar.
